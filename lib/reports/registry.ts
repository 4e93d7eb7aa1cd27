import { conversationsByQuarter } from './conversations-by-quarter';
import { teamsAboveMean } from './teams-above-mean';
import type { ReportDeclaration } from './types';

export type { ReportDeclaration, ReportParam, ReportParamValues } from './types';

/** Every report the API serves; adding one is one file and one line here. */
export const REPORTS: readonly ReportDeclaration[] = [conversationsByQuarter, teamsAboveMean];

/** The report called `name`, or undefined. */
export function reportNamed(name: string): ReportDeclaration | undefined {
  return REPORTS.find((report) => report.name === name);
}
