import { openApiDocument } from '../../lib/api/openapi';
import { ApiContract } from '../helpers/api-contract';

// The checker every API test uses: what it lets through and what it stops.
const contract = new ApiContract(openApiDocument());
const json = 'application/json; charset=UTF-8';

test('a described answer passes', () => {
  expect(
    contract.mismatches({
      method: 'POST',
      path: '/imports',
      status: 201,
      contentType: json,
      body: { schema: 's', table: 't', rows: 1, mode: 'append', columns: [{ name: 'a', type: 'integer' }] },
    }),
  ).toEqual([]);
  expect(
    contract.mismatches({
      method: 'GET',
      path: '/nowhere',
      status: 404,
      contentType: json,
      body: { error: 'x' },
    }),
  ).toEqual([]);
});

test.each([
  [
    'an undescribed status',
    { method: 'POST', path: '/imports', status: 409, contentType: json, body: { error: 'x' } },
  ],
  ['an undescribed method', { method: 'DELETE', path: '/reports', status: 200, contentType: json, body: [] }],
  [
    'an extra property',
    {
      method: 'GET',
      path: '/reports/teams-above-mean',
      status: 400,
      contentType: json,
      body: { error: 'x', stack: 'at' },
    },
  ],
  [
    'a missing property',
    {
      method: 'POST',
      path: '/imports/uploads',
      status: 201,
      contentType: json,
      body: { upload: 'a'.repeat(32) },
    },
  ],
  [
    'a wrong type',
    {
      method: 'POST',
      path: '/imports',
      status: 201,
      contentType: json,
      body: { schema: 's', table: 't', rows: '1', mode: 'append', columns: [] },
    },
  ],
  [
    'an undescribed content type',
    { method: 'GET', path: '/reports', status: 200, contentType: 'text/html', body: '<p>' },
  ],
  [
    'an unknown route answering other than 404 { error }',
    { method: 'GET', path: '/nowhere', status: 200, contentType: json, body: {} },
  ],
])('%s fails', (_, response) => {
  expect(contract.mismatches(response)).toHaveLength(1);
  expect(() => contract.check(response)).toThrow(/outside its OpenAPI description/);
});
