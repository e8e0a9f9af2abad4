/**
 * A mistake of the user's (a bad flag, a broken policy file): exit code 2 with a clear message, as opposed
 * to a bug. `problems` holds one line per error, each already naming file:line:col where one exists.
 */
export class ConfigurationError extends Error {
  readonly problems: string[];
  constructor(message: string, problems: string[] = []) {
    super(message);
    this.name = 'ConfigurationError';
    this.problems = problems;
  }
}
