import { Exemption } from './exemption';
import { Severity } from '../controls/core/control';

/** What became of a failed control on one object. */
export enum FindingStatus {
  /** Not exempted: an error fails synthesis, a warning is reported. */
  FAIL = 'fail',
  /** Covered by an exemption, whose reason is recorded. */
  EXEMPT = 'exempt',
}

/** One violation of one control at one place in one synthesized object. */
export interface Finding {
  /** The control's id. */
  readonly controlId: string;
  /** The control's severity. */
  readonly severity: Severity;
  /** Failed or exempted. */
  readonly status: FindingStatus;
  /** Construct path of the ApiObject. */
  readonly constructPath: string;
  /** The object's kind. */
  readonly kind: string;
  /** The object's namespace, when it has one (not `namespace`: a reserved word in C#, for the jsii targets). */
  readonly objectNamespace?: string;
  /** The object's name. */
  readonly name: string;
  /** JSON pointer into the object. */
  readonly pointer: string;
  /** What is wrong. */
  readonly message: string;
  /** How to fix it. */
  readonly fix: string;
  /** The exemption that covers it, when status is EXEMPT. */
  readonly exemption?: Exemption;
}

/** One guarded object as the latest synthesis saw it. */
export interface ObjectEvaluation {
  /** Construct path of the ApiObject. */
  readonly constructPath: string;
  /** The object's kind. */
  readonly kind: string;
  /** The object's apiVersion. */
  readonly apiVersion: string;
  /** The object's namespace, when it has one (not `namespace`: a reserved word in C#, for the jsii targets). */
  readonly objectNamespace?: string;
  /** The object's name. */
  readonly name: string;
  /** Ids of the controls that applied to the object (the others were not applicable). */
  readonly applicableControls: string[];
  /** Its findings: failed and exempted. */
  readonly findings: Finding[];
  /**
   * File the object was read from (the CLI), for reports.
   * @default - synthesized by cdk8s
   */
  readonly sourceFile?: string;
  /**
   * Line of the object's document in `sourceFile`.
   * @default - unknown
   */
  readonly sourceLine?: number;
}


/**
 * One finding as one line: `[path] control-id: Kind namespace/name /pointer: message; fix` (Guard.formatFinding; a
 * function here so that the report and the CLI need not load the guard, and with it cdk8s).
 */
export function findingLine(finding: Finding): string {
  const object = finding.objectNamespace ? `${finding.objectNamespace}/${finding.name}` : finding.name;
  return `[${finding.constructPath}] ${finding.controlId}: ${finding.kind} ${object} ${finding.pointer}: ${finding.message}; ${finding.fix}`;
}
