// The package's version, read at run time from its package.json (two levels up from both src/guard and lib/guard),
// so the CLI's --version and the reports name the release that produced them.
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const TOOL_VERSION: string = require('../../package.json').version;
