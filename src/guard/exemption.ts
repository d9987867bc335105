import { IConstruct } from 'constructs';
import { Control } from '../controls/core/control';

/** A reasoned, explicit weakening of one control. */
export interface ExemptionProps {
  /** The control exempted: a catalog member such as `Controls.READ_ONLY_ROOT_FILESYSTEM`. */
  readonly control: Control;
  /**
   * Why the weakening is acceptable: at least 20 characters, not a placeholder, not the control's title.
   * It is written into the YAML and the report, so write it for the reviewer who will read it there.
   */
  readonly reason: string;
  /**
   * Owner or ticket tracking the exemption, e.g. `SEC-1234` or `team-payments`.
   * @default - none
   */
  readonly ticket?: string;
  /**
   * Last day (UTC, `YYYY-MM-DD`) the exemption is valid; from the next day synthesis fails.
   * @default - never expires
   */
  readonly expires?: string;
}

/** Annotation key prefix under which each exemption is recorded on the objects it covers. */
export const EXEMPTION_ANNOTATION_PREFIX = 'exemptions.cdk8s-hardened.io/';

const MIN_REASON_LENGTH = 20;
const PLACEHOLDER_WORDS = new Set([
  'todo', 'tbd', 'tbc', 'fixme', 'xxx', 'na', 'n/a', 'none', 'null', 'reason', 'because', 'temp', 'temporary',
  'placeholder', 'test', 'testing', 'wip', 'later', 'fix', 'needed', 'required', 'exempt', 'exemption', 'ignore',
  'lorem', 'ipsum', 'dolor', 'sit', 'amet', 'asdf', 'foo', 'bar', 'baz', 'it', 'is', 'the', 'a', 'for', 'now', 'this',
]);

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
   * Reads the exemption recorded in an annotation (`exemptions.cdk8s-hardened.io/<control-id>: {"reason": ...}`),
   * checked like one given in code; `where` prefixes errors (e.g. `file.yaml:12`).
   * @internal
   */
  public static _fromAnnotation(where: string, key: string, value: string, lookup: (id: string) => Control): Exemption {
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
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error(`${where}: annotation ${key}: value ${JSON.stringify(value)} is not a JSON object; write {"reason": "...", "ticket": "...", "expires": "YYYY-MM-DD"}`);
    }
    return new Exemption(`${where}: annotation ${key}`, where, { control, reason: parsed.reason, ticket: parsed.ticket, expires: parsed.expires });
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

  private constructor(where: string, scopePath: string, props: ExemptionProps) {
    if (!(props?.control instanceof Control)) {
      throw new Error(`${where}: control is ${describe(props?.control)}; name a catalog control, e.g. Controls.READ_ONLY_ROOT_FILESYSTEM`);
    }
    const about = `${where} (${props.control.id})`;
    const reason = typeof props.reason === 'string' ? props.reason.trim() : '';
    const problem = reasonProblem(reason, props.control);
    if (problem) {
      throw new Error(`${about}: reason ${JSON.stringify(props.reason)} ${problem}; say why this weakening is acceptable here (at least ${MIN_REASON_LENGTH} characters)`);
    }
    if (props.expires !== undefined && !isCalendarDate(props.expires)) {
      throw new Error(`${about}: expires ${JSON.stringify(props.expires)} is not a date; use YYYY-MM-DD (UTC), e.g. '2027-03-31'`);
    }
    if (props.ticket !== undefined && (typeof props.ticket !== 'string' || props.ticket.trim() === '')) {
      throw new Error(`${about}: ticket ${JSON.stringify(props.ticket)} is empty; name an owner or ticket, or leave it out`);
    }
    this.control = props.control;
    this.reason = reason;
    this.ticket = props.ticket?.trim();
    this.expires = props.expires;
    this.scopePath = scopePath;
  }

  /** True when `today` (`YYYY-MM-DD`) is after the expiry date. */
  public isExpiredOn(today: string): boolean {
    return this.expires !== undefined && today > this.expires;
  }

  /** The annotation recording this exemption: key `exemptions.cdk8s-hardened.io/<control-id>`, JSON value. */
  public annotation(): Record<string, string> {
    const value: Record<string, string> = { reason: this.reason };
    if (this.ticket) value.ticket = this.ticket;
    if (this.expires) value.expires = this.expires;
    return { [EXEMPTION_ANNOTATION_PREFIX + this.control.id]: JSON.stringify(value) };
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
      const duplicate = this.exemptions.find(e => e.control.id === exemption.control.id);
      if (duplicate) {
        throw new Error(`[${this.scope.node.path}] exemptions[${this.exemptions.length}] (${exemption.control.id}): this scope already exempts ${exemption.control.id}; keep one exemption per control and scope`);
      }
      this.exemptions.push(exemption);
    }
  }
}

function reasonProblem(reason: string, control: Control): string | undefined {
  if (reason.length < MIN_REASON_LENGTH) {
    return `is ${reason.length} characters long`;
  }
  const words = reason.toLowerCase().split(/[^a-z0-9/]+/).filter(w => w !== '');
  if (words.every(w => PLACEHOLDER_WORDS.has(w) || /^(.)\1*$/.test(w))) {
    return 'is a placeholder';
  }
  const normalize = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
  if (normalize(reason) === normalize(control.title) || normalize(reason) === normalize(control.id)) {
    return 'only repeats the control\'s title';
  }
  return undefined;
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
