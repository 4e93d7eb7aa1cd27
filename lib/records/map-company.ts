import { ID_LENGTH, type company, type contactCompany } from '../../drizzle/schema';
import { DataError } from '../errors';
import {
  idField,
  integerField,
  isObject,
  jsonText,
  listItems,
  objectField,
  stringField,
  timestampField,
  within,
  type JsonObject,
} from './fields';
import type { RowOf } from '../streams/types';

/** A `company` row. */
export type CompanyRow = RowOf<typeof company>;
/** A `contact_company` row. */
export type ContactCompanyRow = RowOf<typeof contactCompany>;

/**
 * Map one company from `data/companies.json` (a `GET /companies/scroll` item) to a `company` row.
 * `tags` and `segments` hold the list items (`tags.tags`, `segments.segments`), `plan_name` the
 * plan's name; `raw` holds the whole record. `id` is Intercom's id, `company_id` the one its owner set.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/companies/scrolloverallcompanies
 *
 * @param raw the record as JSON text when the caller has it already (saves a second stringify).
 * @throws DataError when the record is not an object, has no id, or a field has the wrong type.
 */
export function mapCompany(record: unknown, raw?: string): CompanyRow {
  if (!isObject(record)) throw new DataError('the company record is not a JSON object');
  const id = idField(record, 'id', ID_LENGTH);
  if (!id) throw new DataError('the company record has no id');
  const plan = objectField(record, 'plan') ?? {};
  return {
    id,
    companyId: idField(record, 'company_id', 255),
    name: stringField(record, 'name'),
    planName: within('plan', () => stringField(plan, 'name')),
    size: integerField(record, 'size'),
    website: stringField(record, 'website'),
    industry: stringField(record, 'industry'),
    monthlySpend: numberField(record, 'monthly_spend'),
    userCount: integerField(record, 'user_count'),
    sessionCount: integerField(record, 'session_count'),
    createdAt: timestampField(record, 'created_at'),
    updatedAt: timestampField(record, 'updated_at'),
    remoteCreatedAt: timestampField(record, 'remote_created_at'),
    lastRequestAt: timestampField(record, 'last_request_at'),
    customAttributes: jsonText(objectField(record, 'custom_attributes')),
    tags: jsonText(listItems(record, 'tags', 'tags')),
    segments: jsonText(listItems(record, 'segments', 'segments')),
    raw: raw ?? JSON.stringify(record),
  };
}

/**
 * One `contact_company` row per distinct company in a contact's completed `companies.data` list
 * (the extract filled it from `GET /contacts/{id}/companies`), keyed by the company's Intercom id.
 * @throws DataError when the list or an item is malformed or an item has no id.
 */
export function contactCompaniesOf(record: unknown): ContactCompanyRow[] {
  if (!isObject(record)) throw new DataError('the contact record is not a JSON object');
  const contactId = idField(record, 'id', ID_LENGTH);
  if (!contactId) throw new DataError('the contact record has no id');
  const items = listItems(record, 'companies', 'data') ?? [];
  const seen = new Set<string>();
  const rows: ContactCompanyRow[] = [];
  items.forEach((item, index) =>
    within(`companies.data[${index}]`, () => {
      if (!isObject(item)) throw new DataError('field "" should be an object');
      const companyId = idField(item, 'id', ID_LENGTH);
      if (!companyId) throw new DataError('field "id" is missing');
      // The pair is the key: a company listed twice is still one membership.
      if (seen.has(companyId)) return;
      seen.add(companyId);
      rows.push({ contactId, companyId });
    }),
  );
  return rows;
}

/**
 * A number (integer or decimal: `monthly_spend`), or null when missing or null.
 * @throws DataError when it is another type or not finite.
 */
function numberField(record: JsonObject, field: string): number | null {
  const value = record[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new DataError(`field "${field}" should be a number but is ${typeof value}`);
  }
  return value;
}
