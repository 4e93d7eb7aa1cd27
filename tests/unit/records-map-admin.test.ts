import { DataError } from '../../lib/errors';
import { mapAdmin } from '../../lib/records/map-admin';
import { fixtureAdmin } from '../helpers/fixture-lists';

describe('mapAdmin', () => {
  it('maps an admin field for field, its integer team_ids as strings', () => {
    const admin = fixtureAdmin(1, { team_ids: [814865, 814866], job_title: null });
    expect(mapAdmin(admin)).toEqual({
      id: '4423434',
      name: 'Agent 1',
      email: 'agent1@example.com',
      jobTitle: null,
      awayModeEnabled: false,
      awayModeReassign: false,
      hasInboxSeat: true,
      teamIds: '["814865","814866"]',
      raw: JSON.stringify(admin),
    });
  });

  it('keeps a missing team list NULL and an empty one empty', () => {
    const { team_ids: _omitted, ...withoutTeams } = fixtureAdmin(2);
    expect(mapAdmin(withoutTeams).teamIds).toBeNull();
    expect(mapAdmin(fixtureAdmin(2, { team_ids: [] })).teamIds).toBe('[]');
  });

  it('refuses an admin without an id, or with team_ids that are not ids, naming the field', () => {
    expect(() => mapAdmin(fixtureAdmin(3, { id: null }))).toThrow(
      new DataError('the admin record has no id'),
    );
    expect(() => mapAdmin(fixtureAdmin(3, { team_ids: 'all' }))).toThrow(/"team_ids" should be an array/);
    expect(() => mapAdmin(fixtureAdmin(3, { team_ids: [1, { id: 2 }] }))).toThrow(
      'field "team_ids[1]" should be an id (string or integer) but is an object',
    );
  });
});
