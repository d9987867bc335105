import * as fs from 'fs';
import * as path from 'path';
import { ApiObject, App, Yaml } from 'cdk8s';
import { IConstruct } from 'constructs';
import { evaluateManifest, isBlocking, today } from './evaluate';
import { Exemption, Exemptions } from './exemption';
import { Finding, findingLine, ObjectEvaluation } from './finding';
import { GuardReport } from './report';
import { unevaluatedOutput, WrittenText } from './written-output';
import { ControlContext } from '../controls/core/control';
import { HardenedDefaults } from '../defaults/hardened-defaults';

/** What `App.synth()` does with the guard's results. */
export interface GuardOptions {
  /**
   * Print the summary table (findings per control, totals, unused exemptions) to stderr after `App.synth()`.
   * @default true
   */
  readonly printSummary?: boolean;
  /**
   * Write `cdk8s-hardened-report.json` and `cdk8s-hardened-report.sarif` to `reportsDir` after `App.synth()`.
   * @default false
   */
  readonly writeReports?: boolean;
  /**
   * The folder `writeReports` writes to (relative paths from the working directory, as cdk8s' `outdir`). It must
   * be outside the app's output folder: `kubectl apply -f` and `cdk8s-hardened check` read every file there as a
   * manifest, so a report inside it breaks both; a folder inside it is refused.
   * @default - `cdk8s-hardened-reports` beside the output folder (`dist` -> `cdk8s-hardened-reports`)
   */
  readonly reportsDir?: string;
}

/** File names of the reports written to GuardOptions.reportsDir. */
export const REPORT_FILES = { json: 'cdk8s-hardened-report.json', sarif: 'cdk8s-hardened-report.sarif' };

/** The folder name of the default GuardOptions.reportsDir, beside the output folder. */
const DEFAULT_REPORTS_FOLDER = 'cdk8s-hardened-reports';

/** What one synthesis of an app found, for every guarded object. */
interface AppEvaluation {
  /** Serialized JSON of every ApiObject of the app, the set cross-object controls see. */
  readonly objects: any[];
  /** Per guarded object: its raw JSON, the JSON to emit (exemption annotations added) and its evaluation. */
  readonly guarded: Map<ApiObject, { raw: any; emitted: any; evaluation: ObjectEvaluation }>;
  /** Unexempted errors: any fails synthesis. */
  readonly errors: Finding[];
  /**
   * Every line that fails this synthesis, in one list: the unexempted errors, the problems validations recorded
   * (Guard._recordProblems) and the expired exemptions in force, each once.
   */
  readonly blocking: string[];
}

/**
 * Per app: whether an `App.synth()`/`synthYaml()` is running (a strong session: one evaluation serves every
 * chart), and the current evaluation. Outside `App.synth()`, every validation pass starts a new evaluation.
 */
interface Session {
  strong: boolean;
  evaluation?: AppEvaluation;
  options: GuardOptions;
  /** Results other checks computed during the current strong session (see Guard._perSynthesis). */
  memo: Map<unknown, unknown>;
  /** Whether the app is being evaluated (see emit). */
  evaluating?: boolean;
  /** Per recording validation, the lines its latest run found (see Guard._recordProblems). */
  problems: Map<unknown, string[]>;
}

// The unguarded serializer of each guarded object.
const SERIALIZERS = new WeakMap<ApiObject, () => any>();
const LATEST = new WeakMap<ApiObject, ObjectEvaluation>();
const SESSIONS = new WeakMap<IConstruct, Session>();
const PROTECTED_SCOPES = new WeakSet<IConstruct>();
const INSTRUMENTED = Symbol.for('cdk8s-hardened.guard.instrumented');

/**
 * The synth-time guard: checks synthesized objects against the controls catalog.
 *
 * The first guarded object serialized in a synthesis triggers one evaluation of the whole app: every ApiObject is
 * serialized once (JSON patches and other escape hatches applied) and every guarded object is checked, with
 * cross-object controls seeing all of the app. Any unexempted error fails synthesis before anything is written,
 * with one line per finding: `[construct/path] control-id: Kind namespace/name /json/pointer: what is wrong; how
 * to fix`. During `App.synth()` the checked JSON is what is written, and the app is evaluated once however many
 * charts it has.
 */
export class Guard {
  /**
   * Guards every ApiObject below `scope`, including objects added after this call.
   * Hardened constructs protect themselves; call it on a Chart or the App to guard everything else too.
   */
  public static protect(scope: IConstruct, options?: GuardOptions): void {
    instrumentApp(scope.node.root);
    if (options) {
      const session = sessionOf(scope.node.root);
      session.options = { ...session.options, ...options };
      // Refused now, where the option is given, not after the YAML is written.
      if (options.reportsDir !== undefined && scope.node.root instanceof App) reportsDirOf(scope.node.root, session.options);
    }
    if (PROTECTED_SCOPES.has(scope)) return;
    PROTECTED_SCOPES.add(scope);
    // Once per App.synth() (cdk8s validates the whole app once per chart); a fresh key per protected scope.
    const key = {};
    scope.node.addValidation({
      validate: () => Guard._perSynthesis(scope, key, () => {
        // Runs before any object is serialized: cdk8s validates before it synthesizes.
        for (const child of scope.node.findAll()) {
          if (child instanceof ApiObject) guardObject(child);
        }
        const session = sessionOf(scope.node.root);
        if (!session.strong) session.evaluation = undefined;
        // Expired exemptions are reported by the evaluation with everything else, not here (see _recordProblems).
        return [];
      }),
    });
  }

  /** The latest synthesis' evaluation of every guarded object below `scope`. */
  public static evaluations(scope: IConstruct): ObjectEvaluation[] {
    return scope.node.findAll()
      .filter((c): c is ApiObject => c instanceof ApiObject)
      .map(o => LATEST.get(o))
      .filter((e): e is ObjectEvaluation => e !== undefined);
  }

  /** The findings (failed and exempted, errors and warnings) of the latest synthesis of objects below `scope`. */
  public static findings(scope: IConstruct): Finding[] {
    return Guard.evaluations(scope).flatMap(e => e.findings);
  }

  /** Exemptions attached below `scope` that covered no finding in the latest synthesis. */
  public static unusedExemptions(scope: IConstruct): Exemption[] {
    const used = new Set(Guard.findings(scope).map(f => f.exemption).filter(e => e !== undefined));
    return Exemptions.below(scope).filter(e => !used.has(e));
  }

  /**
   * `compute()` once per `App.synth()` of `scope`'s app for `key`, for checks that run from validations: cdk8s
   * validates the whole app once per chart, and nothing changes between those passes. Outside `App.synth()` (e.g.
   * `Testing.synth`) every call computes afresh, so tests never see stale results.
   * @internal
   */
  public static _perSynthesis<T>(scope: IConstruct, key: unknown, compute: () => T): T {
    const session = sessionOf(scope.node.root);
    if (!session.strong) return compute();
    if (!session.memo.has(key)) session.memo.set(key, compute());
    return session.memo.get(key) as T;
  }

  /**
   * Adds a validation to `scope` whose problems fail synthesis in the guard's one error, with every finding of the
   * app, instead of in cdk8s' own error before the guard evaluates (cdk8s validates before it serializes, and stops
   * there). `findProblems` runs once per `App.synth()` (see _perSynthesis); each line it returns is reported as
   * `[scope/path] line`. `scope` must be protected (`Guard.protect`): its guarded objects trigger the evaluation.
   * @internal
   */
  public static _recordProblems(scope: IConstruct, findProblems: () => string[]): void {
    const key = {};
    scope.node.addValidation({
      validate: () => {
        const lines = Guard._perSynthesis(scope, key, findProblems).map(line => `[${scope.node.path}] ${line}`);
        sessionOf(scope.node.root).problems.set(key, lines);
        return [];
      },
    });
  }

  /** One finding as one line: `[path] control-id: Kind namespace/name /pointer: message; fix`. */
  public static formatFinding(finding: Finding): string {
    return findingLine(finding);
  }

  private constructor() {}
}

function sessionOf(root: IConstruct): Session {
  let session = SESSIONS.get(root);
  if (!session) {
    session = { strong: false, options: {}, memo: new Map(), problems: new Map() };
    SESSIONS.set(root, session);
  }
  return session;
}

/** Brackets `App.synth()` and `App.synthYaml()` so the whole app is evaluated once per call. */
function instrumentApp(root: IConstruct): void {
  if (!(root instanceof App) || (root as any)[INSTRUMENTED]) return;
  Object.defineProperty(root, INSTRUMENTED, { value: true });
  for (const method of ['synth', 'synthYaml'] as const) {
    const original = (root as any)[method].bind(root);
    Object.defineProperty(root, method, {
      configurable: true,
      writable: true,
      value: (...args: unknown[]) => {
        const session = sessionOf(root);
        if (session.strong) return original(...args);
        session.strong = true;
        session.evaluation = undefined;
        session.memo.clear();
        session.problems.clear();
        const files: string[] = [];
        const save = Yaml.save;
        try {
          // Record every file cdk8s writes, to read them back once written.
          Yaml.save = (filePath: string, docs: any[]) => {
            // Before the first file, even when its chart has no guarded object: a failing synthesis writes nothing.
            if (files.length === 0) {
              const evaluation = session.evaluation ??= evaluateApp(root);
              if (evaluation.blocking.length > 0) throw guardError(evaluation.blocking);
            }
            files.push(filePath);
            save.call(Yaml, filePath, docs);
          };
          let result;
          try {
            result = original(...args);
          } finally {
            Yaml.save = save;
          }
          const written: WrittenText[] = method === 'synth'
            ? files.map(f => ({ name: f, text: fs.readFileSync(f, 'utf-8') }))
            : [{ name: 'synthYaml()', text: result as string }];
          verifyWritten(root, session, written, files);
          afterSynth(root as App, session.options, method === 'synth');
          return result;
        } finally {
          session.strong = false;
          session.evaluation = undefined;
          session.memo.clear();
        }
      },
    });
  }
}

/**
 * The YAML written must be exactly what the guard evaluated, read back as kubectl reads it; otherwise the files of this
 * synthesis are removed (nothing unchecked is left for `kubectl apply -f`) and synthesis fails.
 */
function verifyWritten(root: IConstruct, session: Session, written: WrittenText[], files: string[]): void {
  if (written.length === 0) return;
  // No guarded object was serialized (e.g. the only one was created during validation): evaluate now.
  const evaluation = session.evaluation ??= evaluateApp(root);
  if (evaluation.blocking.length > 0) {
    for (const file of files) fs.rmSync(file, { force: true });
    throw guardError(evaluation.blocking);
  }
  const emitted = new Map([...evaluation.guarded.values()].map(g => [g.raw, g.emitted]));
  const problems = unevaluatedOutput(written, evaluation.objects.map(o => emitted.get(o) ?? o));
  if (problems.length === 0) return;
  for (const file of files) fs.rmSync(file, { force: true });
  throw new Error(`cdk8s-hardened guard: the YAML written is not what the guard checked (${problems.length} object(s)); `
    + `the ${files.length} file(s) this synthesis wrote were removed:\n  ${problems.join('\n  ')}\n`
    + 'Something changed objects after the guard evaluated them (a replaced toJson, a Chart overriding toJson, an object '
    + 'created during validation) or wrote text kubectl reads differently; see docs/guard.md, "What the guard promises".');
}

/** After a successful App.synth(): the summary on stderr and, when asked, the reports in GuardOptions.reportsDir. */
function afterSynth(app: App, options: GuardOptions, wroteFiles: boolean): void {
  const report = GuardReport.of(app);
  if (report.evaluations.length === 0) return;
  if (options.printSummary ?? true) {
    process.stderr.write(`cdk8s-hardened guard:\n${report.summary()}\n`);
  }
  if (options.writeReports && wroteFiles) {
    const dir = reportsDirOf(app, options);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, REPORT_FILES.json), JSON.stringify(report.toJson(), undefined, 2) + '\n');
    fs.writeFileSync(path.join(dir, REPORT_FILES.sarif), JSON.stringify(report.toSarif(), undefined, 2) + '\n');
  }
}

/**
 * Where the reports go: GuardOptions.reportsDir, or `cdk8s-hardened-reports` beside the output folder. Never inside
 * the output folder, whose every file `kubectl apply -f` and `cdk8s-hardened check` read as a manifest.
 */
function reportsDirOf(app: App, options: GuardOptions): string {
  const outdir = path.resolve(app.outdir);
  const besideOutdir = path.join(path.dirname(outdir), DEFAULT_REPORTS_FOLDER);
  const dir = path.resolve(options.reportsDir ?? besideOutdir);
  const relative = path.relative(outdir, dir);
  const outside = relative === '..' || relative.startsWith(`..${path.sep}`) || path.isAbsolute(relative);
  if (!outside) {
    const given = options.reportsDir === undefined ? 'the default' : JSON.stringify(options.reportsDir);
    throw new Error(`cdk8s-hardened guard: GuardOptions.reportsDir: ${given} (${dir}) is inside the app's output folder ${outdir}, where `
      + '`kubectl apply -f` and `cdk8s-hardened check` would read the reports as manifests and fail; give a folder outside it, '
      + `e.g. reportsDir: ${JSON.stringify(besideOutdir)}`);
  }
  return dir;
}

/**
 * Expired exemptions in force at any protected scope: attached to it, below it, or above it (an exemption attached to
 * a chart or the app covers the hardened workloads inside, which guard only themselves: it must fail their synthesis
 * too). Each once, however many protected scopes it is in force at.
 */
function expiredExemptions(root: IConstruct): string[] {
  const now = today();
  const inForce = new Set<Exemption>();
  for (const scope of root.node.findAll()) {
    if (!PROTECTED_SCOPES.has(scope)) continue;
    for (const e of [...Exemptions.covering(scope), ...Exemptions.below(scope)]) inForce.add(e);
  }
  return [...inForce]
    .filter(e => e.isExpiredOn(now))
    .map(e => `[${e.scopePath}] ${e.control.id}: exemption attached at [${e.scopePath}] expired on ${e.expires} (reason: ${e.reason}); `
      + 'fix the finding and remove the exemption, or renew it with a new expiry after review');
}

function guardObject(object: ApiObject): void {
  if (SERIALIZERS.has(object)) return;
  const serialize = object.toJson.bind(object);
  SERIALIZERS.set(object, serialize);
  Object.defineProperty(object, 'toJson', {
    value: () => emit(object, serialize),
    configurable: true,
    writable: true,
  });
}

/** What a guarded object's toJson() returns: its checked JSON, or an error listing every blocking finding. */
function emit(object: ApiObject, serialize: () => any): any {
  const session = sessionOf(object.node.root);
  // Serialized from inside the app's evaluation (a Lazy of another object reading this one): its JSON only, which the
  // evaluation checks as it checks every object. Evaluating again from there recursed without end.
  if (session.evaluating) return serialize();
  if (session.evaluation === undefined) {
    session.evaluating = true;
    try {
      session.evaluation = evaluateApp(object.node.root);
    } finally {
      session.evaluating = false;
    }
  }
  const evaluation = session.evaluation;
  if (evaluation.blocking.length > 0) {
    throw guardError(evaluation.blocking);
  }
  const known = evaluation.guarded.get(object);
  if (session.strong && known) {
    return known.emitted;
  }
  // Outside App.synth() nothing brackets the synthesis: check a fresh serialization against the evaluated set.
  const fresh = serialize();
  const objects = known ? evaluation.objects.map(o => (o === known.raw ? fresh : o)) : [...evaluation.objects, fresh];
  const checked = check(object, fresh, objects, today());
  LATEST.set(object, checked.evaluation);
  const errors = checked.evaluation.findings.filter(isBlocking);
  if (errors.length > 0) {
    throw guardError(errors.map(Guard.formatFinding));
  }
  return checked.emitted;
}

function evaluateApp(root: IConstruct): AppEvaluation {
  const serialized: Array<[ApiObject, any]> = [];
  for (const o of root.node.findAll()) {
    if (!(o instanceof ApiObject)) continue;
    // An object added below a protected scope after its validation ran (e.g. inside another validation) is guarded too.
    if (o.node.scopes.some(s => PROTECTED_SCOPES.has(s))) guardObject(o);
    try {
      serialized.push([o, (SERIALIZERS.get(o) ?? o.toJson.bind(o))()]);
    } catch {
      // An object that cannot serialize fails on its own when cdk8s reaches it; the rest is still checked.
    }
  }
  const objects = serialized.map(([, json]) => json);
  const guarded = new Map<ApiObject, { raw: any; emitted: any; evaluation: ObjectEvaluation }>();
  const errors: Finding[] = [];
  const now = today();
  for (const [object, raw] of serialized) {
    if (!SERIALIZERS.has(object)) continue;
    const { emitted, evaluation } = check(object, raw, objects, now);
    LATEST.set(object, evaluation);
    guarded.set(object, { raw, emitted, evaluation });
    errors.push(...evaluation.findings.filter(isBlocking));
  }
  const recorded = [...sessionOf(root).problems.values()].flat();
  const blocking = [...new Set([...errors.map(Guard.formatFinding), ...recorded, ...expiredExemptions(root)])];
  return { objects, guarded, errors, blocking };
}

/** The one error a failing synthesis throws: every line of it, each ending with its fix. */
function guardError(lines: string[]): Error {
  return new Error(`cdk8s-hardened guard: ${lines.length} finding(s) fail synthesis:\n  ${lines.join('\n  ')}\n`
    + 'Fix each finding as its line says; a control finding may instead be exempted explicitly with a reason '
    + '(exemptions prop or Exemptions.of(scope).add()).');
}

/** Every applicable control on one serialized object, with the exemptions in force at its scope. */
function check(object: ApiObject, json: any, objects: any[], now: string): { emitted: any; evaluation: ObjectEvaluation } {
  const defaults = HardenedDefaults.of(object);
  const context: ControlContext = {
    pssVersion: defaults.pssVersion,
    allowedRegistries: defaults.allowedRegistries,
    requireImageDigests: defaults.requireImageDigests,
    objects,
    synthesis: true,
    platform: defaults.platform,
  };
  const exemptions = Exemptions.covering(object).filter(e => !e.isExpiredOn(now));
  return evaluateManifest(json, context, exemptions, { constructPath: object.node.path });
}
