import * as fs from 'fs';
import * as path from 'path';
import Ajv2020, { ValidateFunction } from 'ajv/dist/2020';

const SARIF_SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'sarif-2.1.0.json'), 'utf-8'));

// The formats the SARIF 2.1.0 schema uses. ajv knows none of them by default and warns, with a stack trace, for
// each use at every compile; checking them is also stricter than ignoring them.
const FORMATS: Record<string, (value: string) => boolean> = {
  'date-time': v => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.test(v) && !isNaN(Date.parse(v)),
  'uri': v => /^[a-z][a-z0-9+.-]*:/i.test(v) && parsesAsUrl(v),
  'uri-reference': v => !/\s/.test(v) && parsesAsUrl(v, 'file:///'),
  'uuid': v => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v),
};

function parsesAsUrl(value: string, base?: string): boolean {
  try {
    new URL(value, base);
    return true;
  } catch {
    return false;
  }
}

/** A validator for the official SARIF 2.1.0 schema (test/schemas/), formats included. */
export function sarifValidator(options: { allErrors?: boolean } = {}): ValidateFunction {
  return new Ajv2020({ strict: false, allErrors: options.allErrors ?? false, formats: FORMATS }).compile(SARIF_SCHEMA);
}

const DEFAULT_VALIDATOR = sarifValidator({ allErrors: true });

/** The schema violations of a SARIF log (none: valid SARIF 2.1.0). */
export function sarifErrors(sarif: unknown): unknown[] {
  return DEFAULT_VALIDATOR(sarif) ? [] : DEFAULT_VALIDATOR.errors ?? [];
}
