/** Facts about the tool itself, in one place. */
export const TOOL_NAME = 'ai-pipeline-gate';
export const TOOL_VERSION = '0.1.0';
export const REPO_URL = 'https://github.com/ai-pipeline-gate/ai-pipeline-gate';

/** The docs page of a rule, derived from its id (never typed by hand). */
export function ruleDocsUrl(ruleId: string): string {
  return `${REPO_URL}/blob/main/docs/rules/${ruleId}.md`;
}
