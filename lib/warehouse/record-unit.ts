import { recordKeyOf } from '../records/record-id';
import type { StreamName } from '../streams/registry';
import type { StreamDeclaration } from '../streams/types';
import type { RecordUnit } from './batch-writer';

/**
 * The rows one lake record of `stream` gives, as the batch writer takes them: mapped by the
 * stream's declaration, with its main table and, for an upsert, the child tables its rows replace.
 *
 * @param raw the record's JSON text as the lake holds it (its main row's `raw`).
 * @throws DataError when the declaration cannot map the record; the load quarantines it.
 */
export function recordUnit(stream: StreamDeclaration<StreamName>, record: unknown, raw: string): RecordUnit {
  return {
    stream: stream.name,
    recordId: recordKeyOf(record, stream.primaryKey) ?? null,
    raw,
    main: stream.tables[0],
    ...(stream.replaceChildrenOf && { replace: stream.replaceChildrenOf }),
    rows: stream.map(record, raw),
  };
}
