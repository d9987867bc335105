import { IConstruct } from 'constructs';
import { today as todayUtc } from './evaluate';
import { expiryProblem, MIN_REASON_LENGTH, reasonProblem } from './exemption-rules';
import { Control } from '../controls/core/control';
import { canonicalJson } from '../controls/core/json';
import { EXEMPTION_ANNOTATION_PREFIX as ANNOTATION_PREFIX } from '../controls/synthesis-integrity';

/** A reasoned, explicit weakening of one control. */
export interface ExemptionProps {
  /** The control exempted: a catalog member such as `Controls.READ_ONLY_ROOT_FILESYSTEM`. */
  readonly control: Control;
  /**
   * Why the weakening is acceptable, written for the reviewer who reads it in the YAML and the report. At least 20
   * characters, and at least 4 distinct meaningful words: words of two or more letters with a vowel (or an
   * abbreviation such as `tls`), not filler (`todo`, `later`, `foo`, `qux`, `blah`, `meh`, `yolo`, `whatever`, glue
   * words such as `the`), not keyboard or alphabet runs (`asdf`, `hjkl`), not the words of the control's own id and
   * title. E.g. 'vendor image writes its pid file under /run; tracked with the vendor'.
   */
  readonly reason: string;
  /**
   * Owner or ticket tracking the exemption, e.g. `SEC-1234` or `team-payments`.
   * @default - none
   */
  readonly ticket?: string;
  /**
   * Last day (UTC, `YYYY-MM-DD`) the exemption is valid; from the next day synthesis fails. At most 365 days after
   * today (`CDK8S_HARDENED_TODAY` pins today), so a weakening with an expiry is reviewed again at least yearly.
   * @default - never expires
   */
  readonly expires?: string;
  /**
   * Narrows the exemption to objects of this kind, e.g. `DaemonSet`.
   * @default - every kind below the scope
   */
  readonly kind?: string;
  /**
   * Narrows the exemption to objects with this `metadata.name`.
   * @default - every name below the scope
   */
  readonly name?: string;
  /**
   * Narrows the exemption to findings at this JSON pointer (RFC 6901) or below it, e.g.
   * `/spec/template/spec/volumes/2`. A finding elsewhere in the same object still fails.
   * @default - findings anywhere in the object
   */
  readonly pointer?: string;
  /**
   * With `pointer`: the exemption covers an object only while the JSON value at `pointer` equals this value (deep
   * equality), so that changing what was reviewed (say, the path of a hostPath volume) voids the exemption instead
   * of silently inheriting it. Pointers address array items by index; pinning the value also stops an exemption
   * from moving to another item when items are inserted before it.
   * @default - any value at `pointer`
   */
  readonly pointerValue?: any;
}

/** Annotation key prefix under which each exemption is recorded on the objects it covers. */
export const EXEMPTION_ANNOTATION_PREFIX = ANNOTATION_PREFIX;

/** An exemption whose fields have been checked. */
export class Exemption {
  /**
   * Checks and attaches an exemption; use `Exemptions.of(scope).add()` or a construct's `exemptions` prop.
   * @internal
   */
  public static _create(scope: IConstruct, props: ExemptionProps, index: number): Exemption {
    return new Exemption(`[${scope.node.path}] exemptions[${index}]`, scope.node.path, props);
  }

  /**
   * Reads the exemptions recorded in an annotation (`exemptions.cdk8s-hardened.io/<control-id>: {"reason": ...}`, or a
   * JSON list of such objects), checked like ones given in code; `where` prefixes errors (e.g. `file.yaml:12`).
   * @internal
   */
  public static _fromAnnotation(where: string, key: string, value: string, lookup: (id: string) => Control): Exemption[] {
    const id = key.slice(EXEMPTION_ANNOTATION_PREFIX.length);
    let control: Control;
    try {
      control = lookup(id);
    } catch (e) {
      throw new Error(`${where}: annotation ${key}: ${(e as Error).message}`);
    }
    let parsed: any;
    try {
      parsed = JSON.parse(value);
    } catch {
      parsed = undefined;
    }
    const entries = Array.isArray(parsed) ? parsed : [parsed];
    if (entries.length === 0 || entries.some(e => e === null || typeof e !== 'object' || Array.isArray(e))) {
      throw new Error(`${where}: annotation ${key}: value ${JSON.stringify(value)} is not a JSON object (or a list of them); write `
        + '{"reason": "...", "ticket": "...", "expires": "YYYY-MM-DD"}, optionally with "kind", "name", "pointer" and "pointerValue"');
    }
    return entries.map((e, i) => new Exemption(`${where}: annotation ${key}${Array.isArray(parsed) ? `[${i}]` : ''}`, where, {
      control, reason: e.reason, ticket: e.ticket, expires: e.expires, kind: e.kind, name: e.name, pointer: e.pointer, pointerValue: e.pointerValue,
    }));
  }

  /** The control exempted. */
  public readonly control: Control;
  /** Why the weakening is acceptable. */
  public readonly reason: string;
  /** Owner or ticket. */
  public readonly ticket?: string;
  /** Last valid day, `YYYY-MM-DD` (UTC). */
  public readonly expires?: string;
  /** Construct path of the scope the exemption was attached to (for the CLI: the file and line it was read from). */
  public readonly scopePath: string;
  /** The kind of object the exemption is narrowed to, if any. */
  public readonly kind?: string;
  /** The object name the exemption is narrowed to, if any. */
  public readonly name?: string;
  /** The JSON pointer the exemption is narrowed to, if any. */
  public readonly pointer?: string;
  /** The value pinned at `pointer`, if any. */
  public readonly pointerValue?: any;

  private constructor(where: string, scopePath: string, props: ExemptionProps) {
    if (!(props?.control instanceof Control)) {
      throw new Error(`${where}: control is ${describe(props?.control)}; name a catalog control, e.g. Controls.READ_ONLY_ROOT_FILESYSTEM`);
    }
    const about = `${where} (${props.control.id})`;
    if (!props.control.exemptable) {
      throw new Error(`${about}: ${props.control.id} cannot be exempted (${props.control.title}); ${props.control.remediation}`);
    }
    const reason = typeof props.reason === 'string' ? props.reason.trim() : '';
    const problem = reasonProblem(reason, props.control);
    if (problem) {
      throw new Error(`${about}: reason ${JSON.stringify(props.reason)} ${problem}; say why this weakening is acceptable here (at least ${MIN_REASON_LENGTH} characters)`);
    }
    if (props.expires !== undefined && !isCalendarDate(props.expires)) {
      throw new Error(`${about}: expires ${JSON.stringify(props.expires)} is not a date; use YYYY-MM-DD (UTC), e.g. '2027-03-31'`);
    }
    const tooLate = props.expires === undefined ? undefined : expiryProblem(props.expires, todayUtc());
    if (tooLate) {
      throw new Error(`${about}: expires ${JSON.stringify(props.expires)} ${tooLate}`);
    }
    if (props.ticket !== undefined && (typeof props.ticket !== 'string' || props.ticket.trim() === '')) {
      throw new Error(`${about}: ticket ${JSON.stringify(props.ticket)} is empty; name an owner or ticket, or leave it out`);
    }
    for (const field of ['kind', 'name'] as const) {
      const v = props[field];
      if (v !== undefined && (typeof v !== 'string' || v.trim() === '' || v !== v.trim())) {
        throw new Error(`${about}: ${field} ${JSON.stringify(v)} is not an object ${field}; give the exact ${field === 'kind' ? 'kind, e.g. \'DaemonSet\'' : 'metadata.name'}, or leave it out`);
      }
    }
    if (props.pointer !== undefined && (typeof props.pointer !== 'string' || !/^(\/([^~]|~[01])*)*$/.test(props.pointer))) {
      throw new Error(`${about}: pointer ${JSON.stringify(props.pointer)} is not a JSON pointer; use RFC 6901 form starting with '/', e.g. `
        + '\'/spec/template/spec/volumes/2\' (escape \'~\' as ~0 and \'/\' as ~1), or leave it out');
    }
    if (props.pointer === '') {
      // RFC 6901's '' is the whole document: an exemption pinned there would look narrowed and cover everything.
      throw new Error(`${about}: pointer '' is the whole object, not a place in it; give the pointer of the reviewed field, e.g. `
        + '\'/spec/template/spec/volumes/2\', or leave pointer out (and narrow with kind and name) if the whole object is meant');
    }
    if (props.pointerValue !== undefined && props.pointer === undefined) {
      throw new Error(`${about}: pointerValue is set without pointer; give the pointer whose value it pins, or leave pointerValue out`);
    }
    this.control = props.control;
    this.reason = reason;
    this.ticket = props.ticket?.trim();
    this.expires = props.expires;
    this.scopePath = scopePath;
    this.kind = props.kind;
    this.name = props.name;
    this.pointer = props.pointer;
    this.pointerValue = props.pointerValue === undefined ? undefined : JSON.parse(JSON.stringify(props.pointerValue));
  }

  /** True when the exemption is narrowed to a kind, a name or a pointer. */
  public get isNarrowed(): boolean {
    return this.kind !== undefined || this.name !== undefined || this.pointer !== undefined;
  }

  /**
   * Whether this exemption covers a finding of `controlId` at `findingPointer` in `manifest`: same control, and the
   * object and pointer within its narrowing (the pointer itself or below it, with the pinned value unchanged).
   */
  public covers(controlId: string, manifest: any, findingPointer: string): boolean {
    if (controlId !== this.control.id) return false;
    if (this.kind !== undefined && manifest?.kind !== this.kind) return false;
    if (this.name !== undefined && manifest?.metadata?.name !== this.name) return false;
    if (this.pointer === undefined) return true;
    if (findingPointer !== this.pointer && !findingPointer.startsWith(this.pointer + '/')) return false;
    return this.pointerValue === undefined || canonicalJson(resolvePointer(manifest, this.pointer)) === canonicalJson(this.pointerValue);
  }

  /** True when `today` (`YYYY-MM-DD`) is after the expiry date. */
  public isExpiredOn(today: string): boolean {
    return this.expires !== undefined && today > this.expires;
  }

  /** The annotation recording this exemption: key `exemptions.cdk8s-hardened.io/<control-id>`, JSON value. */
  public annotation(): Record<string, string> {
    return { [EXEMPTION_ANNOTATION_PREFIX + this.control.id]: JSON.stringify(this._annotationValue()) };
  }

  /**
   * The JSON recorded for this exemption: reason, ticket, expiry and narrowing.
   * @internal
   */
  public _annotationValue(): Record<string, any> {
    const value: Record<string, any> = { reason: this.reason };
    if (this.ticket) value.ticket = this.ticket;
    if (this.expires) value.expires = this.expires;
    if (this.kind !== undefined) value.kind = this.kind;
    if (this.name !== undefined) value.name = this.name;
    if (this.pointer !== undefined) value.pointer = this.pointer;
    if (this.pointerValue !== undefined) value.pointerValue = this.pointerValue;
    return value;
  }

  /** True when both exempt the same control with the same narrowing. */
  public sameTarget(other: Exemption): boolean {
    return this.control.id === other.control.id && this.kind === other.kind && this.name === other.name && this.pointer === other.pointer;
  }
}

const REGISTRY = new WeakMap<IConstruct, Exemptions>();

/** The exemptions attached to one construct scope; they cover every object below it. */
export class Exemptions {
  /** The exemptions of `scope` (created empty on first use). */
  public static of(scope: IConstruct): Exemptions {
    let found = REGISTRY.get(scope);
    if (!found) {
      found = new Exemptions(scope);
      REGISTRY.set(scope, found);
    }
    return found;
  }

  /** Every exemption covering `scope`: its own and its ancestors', nearest first. */
  public static covering(scope: IConstruct): Exemption[] {
    return [...scope.node.scopes].reverse().flatMap(s => REGISTRY.get(s)?.exemptions ?? []);
  }

  /** Every exemption attached to `scope` or below it. */
  public static below(scope: IConstruct): Exemption[] {
    return scope.node.findAll().flatMap(c => REGISTRY.get(c)?.exemptions ?? []);
  }

  private readonly exemptions: Exemption[] = [];

  private constructor(private readonly scope: IConstruct) {}

  /** The exemptions attached here. */
  public get all(): Exemption[] {
    return [...this.exemptions];
  }

  /**
   * Attaches exemptions to this scope.
   * @throws naming the scope path and the field, for an unknown control, a weak reason or a malformed date
   */
  public add(...exemptions: ExemptionProps[]): void {
    for (const props of exemptions) {
      const exemption = Exemption._create(this.scope, props, this.exemptions.length);
      const duplicate = this.exemptions.find(e => e.sameTarget(exemption));
      if (duplicate) {
        throw new Error(`[${this.scope.node.path}] exemptions[${this.exemptions.length}] (${exemption.control.id}): this scope already exempts `
          + `${exemption.control.id}${exemption.isNarrowed ? ' with the same kind, name and pointer' : ''}; keep one exemption per control and `
          + `${exemption.isNarrowed ? 'target' : 'scope'}`);
      }
      this.exemptions.push(exemption);
    }
  }
}

/** The value at an RFC 6901 pointer, or undefined. */
function resolvePointer(json: any, pointer: string): any {
  if (pointer === '') return json;
  let value = json;
  for (const raw of pointer.slice(1).split('/')) {
    const segment = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, segment)) return undefined;
    value = value[segment];
  }
  return value;
}

function isCalendarDate(value: unknown): boolean {
  if (typeof value !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (typeof value === 'string') return `the string ${JSON.stringify(value)} (not a Control)`;
  return `${typeof value} (not a Control)`;
}
