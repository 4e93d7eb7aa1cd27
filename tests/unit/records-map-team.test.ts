import { mapTeam } from '../../lib/records/map-team';
import { fixtureTeam } from '../helpers/fixture-lists';

describe('mapTeam', () => {
  it('maps a team to its row and one team_admin link per member', () => {
    const team = fixtureTeam(0, { admin_ids: [4423433, '4423434'] });
    expect(mapTeam(team, '{"raw":1}')).toEqual({
      team: { id: '814865', name: 'Team 0', adminIds: '["4423433","4423434"]', raw: '{"raw":1}' },
      admins: [
        { teamId: '814865', adminId: '4423433' },
        { teamId: '814865', adminId: '4423434' },
      ],
    });
  });

  it('gives a member named twice one link, and a team without members none', () => {
    expect(mapTeam(fixtureTeam(1, { admin_ids: [7, 7] })).admins).toEqual([
      { teamId: '814866', adminId: '7' },
    ]);
    const empty = mapTeam(fixtureTeam(1, { admin_ids: null }));
    expect(empty.admins).toEqual([]);
    expect(empty.team.adminIds).toBeNull();
  });

  it('refuses a team without an id or with a member that is no id', () => {
    expect(() => mapTeam(fixtureTeam(2, { id: '' }))).toThrow('the team record has no id');
    expect(() => mapTeam(fixtureTeam(2, { admin_ids: [1, null] }))).toThrow(
      'field "admin_ids[1]" should be an id',
    );
    expect(() => mapTeam([fixtureTeam(2)])).toThrow('not a JSON object');
  });
});
