import { mapDataAttribute } from '../../lib/records/map-data-attribute';
import { recordKeyOf } from '../../lib/records/record-id';
import { DATA_ATTRIBUTES } from '../../lib/streams/data-attributes';
import { fixtureDataAttribute } from '../helpers/fixture-lists';

describe('mapDataAttribute', () => {
  it('maps a custom attribute field for field', () => {
    const attribute = fixtureDataAttribute(1, { name: 'plan' });
    expect(mapDataAttribute(attribute)).toEqual({
      model: 'contact',
      name: 'plan',
      id: '11001',
      fullName: 'custom_attributes.attribute_1',
      label: 'Attribute 1',
      description: 'Custom attribute',
      dataType: 'string',
      custom: true,
      archived: false,
      apiWritable: true,
      uiWritable: true,
      createdAt: '2020-05-20 18:40:00',
      updatedAt: '2020-05-20 19:40:00',
      raw: JSON.stringify(attribute),
    });
  });

  it('maps a standard attribute, which has no id or dates, with NULLs', () => {
    const standard = fixtureDataAttribute(2, {
      name: 'email',
      id: undefined,
      custom: false,
      created_at: undefined,
      updated_at: undefined,
    });
    expect(mapDataAttribute(standard)).toMatchObject({
      model: 'contact',
      name: 'email',
      id: null,
      custom: false,
      createdAt: null,
      updatedAt: null,
    });
  });

  it('is keyed by model and name: the quarantine and checkpoint key is model/name', () => {
    const standard = fixtureDataAttribute(2, { model: 'company', name: 'name', id: undefined });
    expect(recordKeyOf(standard, DATA_ATTRIBUTES.primaryKey)).toBe('company/name');
    expect(recordKeyOf({ name: 'name' }, DATA_ATTRIBUTES.primaryKey)).toBeUndefined();
  });

  it('refuses an attribute without its model or name, saying which', () => {
    expect(() => mapDataAttribute(fixtureDataAttribute(3, { model: null }))).toThrow(
      'the data attribute record has no model',
    );
    expect(() => mapDataAttribute(fixtureDataAttribute(3, { name: '' }))).toThrow(
      'the data attribute record has no name',
    );
    expect(() => mapDataAttribute(fixtureDataAttribute(3, { name: 'x'.repeat(256) }))).toThrow(
      'field "name" is 256 characters long; the column holds 255',
    );
  });
});
