import { DataError } from '../../lib/errors';
import { contactCompaniesOf, mapCompany } from '../../lib/records/map-company';
import { fixtureCompany, fixtureContact } from '../helpers/fixture-lake';

describe('mapCompany', () => {
  it('maps the typed columns and keeps the whole record as raw', () => {
    const record = fixtureCompany(1);
    expect(mapCompany(record)).toEqual({
      id: record.id,
      companyId: 'remote_company_1',
      name: 'Company 1',
      planName: 'Pro',
      size: 120,
      website: null,
      industry: 'Software',
      monthlySpend: 49.5,
      userCount: 4,
      sessionCount: 0,
      createdAt: '2024-12-18 15:56:08',
      updatedAt: '2024-12-18 15:56:41',
      remoteCreatedAt: '2024-12-18 15:56:08',
      lastRequestAt: '2024-12-18 16:40:00',
      customAttributes: '{"tier":"gold"}',
      tags: '[{"type":"tag","id":"7800292","name":"vip"}]',
      segments: '[]',
      raw: JSON.stringify(record),
    });
  });

  it('reads an empty plan (the spec example sends {}) as no plan name', () => {
    expect(mapCompany(fixtureCompany(2)).planName).toBeNull();
  });

  it('refuses a record without an id, or a spend that is not a number, naming the field', () => {
    expect(() => mapCompany(fixtureCompany(1, { id: null }))).toThrow(
      new DataError('the company record has no id'),
    );
    expect(() => mapCompany(fixtureCompany(1, { monthly_spend: '49.5' }))).toThrow(/"monthly_spend"/);
  });
});

describe('contactCompaniesOf', () => {
  it("gives one (contact, company) pair per distinct company of the contact's completed list", () => {
    const contact = fixtureContact(1, {
      companies: {
        type: 'list',
        data: [
          { id: 'c1', type: 'company' },
          { id: 'c2', type: 'company' },
          { id: 'c1', type: 'company' },
        ],
        has_more: false,
      },
    });
    expect(contactCompaniesOf(contact)).toEqual([
      { contactId: contact.id, companyId: 'c1' },
      { contactId: contact.id, companyId: 'c2' },
    ]);
  });

  it('gives none for a contact without companies, and refuses an item without an id', () => {
    expect(contactCompaniesOf(fixtureContact(2, { companies: null }))).toEqual([]);
    expect(() =>
      contactCompaniesOf(fixtureContact(3, { companies: { type: 'list', data: [{ type: 'company' }] } })),
    ).toThrow(/companies\.data\[0\]\.id/);
  });
});
