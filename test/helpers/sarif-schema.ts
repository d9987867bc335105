import * as fs from 'fs';
import * as path from 'path';
import Ajv2020 from 'ajv/dist/2020';

const SARIF_SCHEMA = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'schemas', 'sarif-2.1.0.json'), 'utf-8'));

// The formats SARIF 2.1.0 uses, checked (not ignored with a console warning): a malformed URI must fail validation.
const isUri = (s: string) => URL.canParse(s);
const isUriReference = (s: string) => !/[\s\\]/.test(s) && URL.canParse(s, 'file:///base/');
const validate = new Ajv2020({
  strict: false,
  formats: {
    'uri': isUri,
    'uri-reference': isUriReference,
    'date-time': (s: string) => !Number.isNaN(Date.parse(s)),
    'uuid': /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i,
  },
}).compile(SARIF_SCHEMA);

/** The schema violations of a SARIF log (none: valid SARIF 2.1.0). */
export function sarifErrors(sarif: unknown): unknown[] {
  return validate(sarif) ? [] : validate.errors ?? [];
}
