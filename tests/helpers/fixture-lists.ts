/**
 * Records of the workspace's small lists (admins, teams, tags, segments, data attributes) shaped
 * like the 2.14 OpenAPI schemas and the sandbox's, for tests that need one without a sandbox.
 * `i` makes each unique.
 */

type Json = Record<string, unknown>;

/** An admin as `GET /admins` lists it. */
export function fixtureAdmin(i: number, overrides: Json = {}): Json {
  return {
    type: 'admin',
    id: String(4423433 + i),
    name: `Agent ${i}`,
    email: `agent${i}@example.com`,
    job_title: 'Support',
    away_mode_enabled: false,
    away_mode_reassign: false,
    away_status_reason_id: null,
    has_inbox_seat: true,
    team_ids: [814865],
    avatar: null,
    ...overrides,
  };
}

/** A team as `GET /teams` lists it. */
export function fixtureTeam(i: number, overrides: Json = {}): Json {
  return {
    type: 'team',
    id: String(814865 + i),
    name: `Team ${i}`,
    admin_ids: [4423433, 4423434],
    admin_priority_level: null,
    assignment_limit: null,
    distribution_method: null,
    ...overrides,
  };
}

/** A tag as `GET /tags` lists it. */
export function fixtureTag(i: number, overrides: Json = {}): Json {
  return { type: 'tag', id: String(7800292 + i), name: `tag ${i}`, ...overrides };
}

/** A segment as `GET /segments?include_count=true` lists it. */
export function fixtureSegment(i: number, overrides: Json = {}): Json {
  return {
    type: 'segment',
    id: `63ea41aa0b2a63a1b0e${String(i).padStart(5, '0')}`,
    name: `Segment ${i}`,
    created_at: 1676296619,
    updated_at: 1676296625,
    person_type: 'user',
    count: 12,
    ...overrides,
  };
}

/** A data attribute as `GET /data_attributes?model=contact` lists it: a standard one has no id. */
export function fixtureDataAttribute(i: number, overrides: Json = {}): Json {
  return {
    type: 'data_attribute',
    model: 'contact',
    name: `attribute_${i}`,
    full_name: `custom_attributes.attribute_${i}`,
    label: `Attribute ${i}`,
    description: 'Custom attribute',
    data_type: 'string',
    api_writable: true,
    messenger_writable: false,
    ui_writable: true,
    custom: true,
    archived: false,
    id: 11000 + i,
    created_at: 1590000000,
    updated_at: 1590003600,
    admin_id: '4423433',
    ...overrides,
  };
}
