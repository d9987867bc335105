/** What the bindings do when an object fails a policy. */
export enum AdmissionAction {
  /** Refuse objects failing an error control; warn about warning controls (the enforcing mode). */
  DENY = 'deny',
  /** Admit everything and return a warning to the client (kubectl prints it): a dry run people see. */
  WARN = 'warn',
  /** Admit everything and record failures in the API server's audit log: a silent dry run. */
  AUDIT = 'audit',
}
