// An upstream key whose credential cannot be produced (an OAuth refresh that failed). `refused`: the
// token endpoint answered and refused the refresh (invalid_grant, 400/401): the key is disabled
// like a 401. Otherwise the endpoint could not be reached or failed on its side (network, 5xx,
// 429): the key only cools down. Either way the next key is tried.
export class CredentialError extends Error {
  constructor(
    message: string,
    readonly refused: boolean,
  ) {
    super(message);
    this.name = 'CredentialError';
  }
}
