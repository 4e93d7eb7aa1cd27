import { mapAdmin } from '../records/map-admin';
import { defineStream } from './types';

/**
 * Admins (teammates): `GET /admins` answers every admin in one unpaged `admin.list`. Their team
 * memberships (`team_ids`) stay in `admin.team_ids`; the `team_admin` links come from the teams'
 * `admin_ids` (lib/streams/teams.ts), which hold the same pairs.
 * https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/admins/listadmins
 */
export const ADMINS = defineStream({
  name: 'admins',
  file: 'admins.json',
  label: 'admins',
  singular: 'admin',
  primaryKey: 'id',
  source: { kind: 'list', path: '/admins', itemsKey: 'admins', paged: false },
  pageSize: 150,
  tables: ['admin'],
  map: (record, raw) => ({ admin: [mapAdmin(record, raw)] }),
});
