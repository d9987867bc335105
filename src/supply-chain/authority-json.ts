// Internal (not re-exported from index: not jsii API).

/** What a signature authority renders to, in a ClusterImagePolicy's `authorities` list. */
export interface AuthorityJson {
  readonly name: string;
  readonly keyless?: { readonly url?: string; readonly identities: Array<Record<string, string>> };
  readonly key?: { readonly data: string; readonly hashAlgorithm: string };
}
