import { CONVERSATIONS_SILVER } from './conversations';
import type { SilverSource } from './types';
import { USERS_SILVER } from './users';
import {
  ADMINS_SILVER,
  COMPANIES_SILVER,
  DATA_ATTRIBUTES_SILVER,
  SEGMENTS_SILVER,
  TAGS_SILVER,
  TEAMS_SILVER,
  TICKETS_SILVER,
} from './workspace';

/**
 * Every stream the silver job refines, in order. Adding a stream is adding its declaration here;
 * tests/unit/refine-silver-registry.test.ts checks every stream of lib/streams has one.
 */
export const SILVER_SOURCES: readonly SilverSource[] = [
  USERS_SILVER,
  CONVERSATIONS_SILVER,
  ADMINS_SILVER,
  TEAMS_SILVER,
  COMPANIES_SILVER,
  TAGS_SILVER,
  SEGMENTS_SILVER,
  DATA_ATTRIBUTES_SILVER,
  TICKETS_SILVER,
];

/** Every silver table name, in order. */
export function silverTableNames(sources: readonly SilverSource[] = SILVER_SOURCES): string[] {
  return sources.flatMap((source) => source.tables.map((table) => table.name));
}
