/**
 * Fixed word lists the generators draw from. Names mix scripts, accents, right-to-left text and
 * 4-byte emoji on purpose: every layer (JSON, lake, MySQL utf8mb4) must carry them intact.
 */

/** Given names, some outside the Basic Multilingual Plane. */
export const FIRST_NAMES = [
  'Ada',
  'Zoë',
  'Łukasz',
  'José',
  'Siobhán',
  '李雷',
  'محمد',
  'Ярослава',
  'Nguyễn',
  'Björn',
  'Aiyana',
  'Ömer',
  'Chloé',
  'Kwame',
  'Ngozi 🌻',
  'Dev 👩🏽‍💻',
  '𝓐𝓵𝓲𝓬𝓮',
  'Renée',
] as const;

/** Family names. */
export const LAST_NAMES = [
  'Lovelace',
  'Ångström',
  'Kowalski',
  "O'Brien",
  'Müller',
  'Dubois',
  '王',
  'Al-Sayed',
  'Ivanova',
  'Tanaka',
  'Smith 🦄',
  'García-Márquez',
  'Nakamura',
  'Okafor',
] as const;

/** Places for `location`. */
export const PLACES = [
  { country: 'Ireland', region: 'Dublin', city: 'Dublin' },
  { country: 'Brazil', region: 'São Paulo', city: 'São Paulo' },
  { country: 'Switzerland', region: 'Zürich', city: 'Zürich' },
  { country: 'Poland', region: 'Lesser Poland', city: 'Kraków' },
  { country: 'Japan', region: 'Tokyo', city: '東京' },
  { country: 'United States', region: 'California', city: 'San Francisco' },
  { country: 'Côte d’Ivoire', region: 'Abidjan', city: 'Abidjan' },
] as const;

/** Browser/OS pairs. */
export const BROWSERS = [
  { browser: 'chrome', version: '120.0.6099.129', os: 'Mac OS X' },
  { browser: 'firefox', version: '121.0', os: 'Windows 10' },
  { browser: 'safari', version: '17.2', os: 'iOS' },
  { browser: 'edge', version: '120.0.2210.91', os: 'Windows 11' },
] as const;

/** Snippets of message bodies (HTML, as Intercom stores them). */
export const BODIES = [
  '<p>Hi, I cannot log in since this morning.</p>',
  '<p>Thanks! That fixed it 🎉</p>',
  '<p>Could you send me the invoice for <b>March</b>?</p>',
  '<p>Merci beaucoup, ça marche.</p>',
  '<p>我需要帮助 🙏</p>',
  '<p>We will look into it &amp; get back to you.</p>',
  '<p>Line one<br>line two with a "quote" and a \\ backslash</p>',
  '<p>Emoji torture: 👨‍👩‍👧‍👦 🏳️‍🌈 🧑🏿‍🚀</p>',
] as const;

/** Workspace tag names. */
export const TAG_NAMES = [
  'vip',
  'churn-risk',
  'beta',
  'enterprise',
  'bug',
  'feature-request',
  'billing',
  'émoji 🏷️',
];

/** Company name stems. */
export const COMPANY_NAMES = [
  'Blue Sun',
  'Acme',
  'Initech',
  'Umbrella',
  'Globex',
  'Société Générale',
  'Ōkami KK',
];

/** Team names. */
export const TEAM_NAMES = ['Support', 'Escalations — Tier 2', 'Billing 💶', 'Onboarding', 'Équipe France'];

/** Segment names. */
export const SEGMENT_NAMES = [
  'Active users',
  'New leads',
  'Slipping away',
  'Paying customers 💳',
  'Trial ending',
  'Ünïcödé fans',
];

/** Ticket titles. */
export const TICKET_TITLES = [
  'Cannot export invoices',
  'Refund for order #4411',
  'Login loop on Safari 🔁',
  'Données manquantes dans le rapport',
  '同步失败',
  'API returns 502 intermittently',
];
