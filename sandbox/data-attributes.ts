import type { DataAttribute, DataAttributeModel } from './types';

/**
 * The attribute definitions `GET /data_attributes` lists: a few of Intercom's standard ones (no
 * `id`, `custom: false`) and one custom definition for each custom attribute the generated
 * contacts, companies and conversations carry (with an `id`), plus one archived custom attribute
 * that only `include_archived=true` shows.
 * @see https://developers.intercom.com/docs/references/2.14/rest-api/api.intercom.io/data-attributes/lisdataattributes
 */

type Standard = [model: DataAttributeModel, name: string, label: string, type: DataAttribute['data_type']];
type Custom = [
  model: DataAttributeModel,
  name: string,
  type: DataAttribute['data_type'],
  options?: string[],
  archived?: boolean,
];

const STANDARD: readonly Standard[] = [
  ['contact', 'name', 'Name', 'string'],
  ['contact', 'email', 'Email', 'string'],
  ['contact', 'phone', 'Phone', 'string'],
  ['contact', 'created_at', 'Signed up', 'date'],
  ['contact', 'last_seen_at', 'Last seen', 'date'],
  ['contact', 'unsubscribed_from_emails', 'Unsubscribed from emails', 'boolean'],
  ['company', 'name', 'Company name', 'string'],
  ['company', 'company_id', 'Company ID', 'string'],
  ['company', 'monthly_spend', 'Monthly Spend', 'float'],
  ['company', 'user_count', 'People', 'integer'],
  ['company', 'last_request_at', 'Company last seen', 'date'],
];

// The generated contacts also carry `preferences`, an object: Intercom has no data type for it, so
// it has no definition here (as an attribute the API refuses to describe).
const CUSTOM: readonly Custom[] = [
  ['contact', 'plan', 'string', ['free', 'pro', 'enterprise']],
  ['contact', 'seats', 'integer'],
  ['contact', 'trial', 'boolean'],
  ['contact', 'mrr', 'float'],
  ['contact', 'signup_source', 'string', ['ads', 'referral', 'organic']],
  ['contact', 'support_history', 'string'],
  ['contact', 'legacy_score 📉', 'integer', undefined, true],
  ['company', 'tier', 'string', ['gold', 'silver']],
  ['company', 'region', 'string'],
  ['conversation', 'channel', 'string', ['web', 'ios', 'email']],
  ['conversation', 'order_count', 'integer'],
];

const CREATED_AT = 1_590_000_000;
const FIRST_CUSTOM_ID = 11_000;

function label(name: string): string {
  const text = name.replace(/_/g, ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/**
 * The attribute definitions of `model` (every model when undefined); archived ones only when asked.
 * `ownerAdminId` is the admin who created the custom ones.
 */
export function dataAttributes(
  model: DataAttributeModel | undefined,
  includeArchived: boolean,
  ownerAdminId: string,
): DataAttribute[] {
  const standard = STANDARD.filter(([m]) => model === undefined || m === model).map(
    ([m, name, text, dataType]): DataAttribute => ({
      type: 'data_attribute',
      model: m,
      name,
      full_name: name,
      label: text,
      description: `${text} (standard attribute)`,
      data_type: dataType,
      api_writable: name !== 'company_id' && name !== 'user_count',
      messenger_writable: false,
      ui_writable: true,
      custom: false,
      archived: false,
    }),
  );
  const custom = CUSTOM.map(
    ([m, name, dataType, options, archived = false], n): DataAttribute | undefined => {
      if ((model !== undefined && m !== model) || (archived && !includeArchived)) return undefined;
      return {
        type: 'data_attribute',
        id: FIRST_CUSTOM_ID + n,
        model: m,
        name,
        full_name: `custom_attributes.${name}`,
        label: label(name),
        description: archived ? 'No longer used' : `Custom attribute ${name}`,
        data_type: dataType,
        ...(options ? { options } : {}),
        api_writable: true,
        messenger_writable: false,
        ui_writable: true,
        custom: true,
        archived,
        created_at: CREATED_AT + n * 86_400,
        updated_at: CREATED_AT + n * 86_400 + 3_600,
        admin_id: ownerAdminId,
      };
    },
  ).filter((a): a is DataAttribute => a !== undefined);
  return [...standard, ...custom];
}
