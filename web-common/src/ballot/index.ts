/**
 * Encrypted, verifiable secret ballots: the tablet's side (cast a ballot, its tracker), the
 * counting board member's side (DKG steps, partial decryption), and an independent verifier of
 * the published board. Byte-exact with the Rust crate `congress-ballot`; the design is
 * docs/ballot-crypto.md.
 */

export { BallotError, fromBase64, fromHex, toBase64, toHex } from './encoding';
export { type Rng, systemRng, seededRng } from './group';
export {
  type BoardSetup,
  type Member,
  type Question,
  type VoteContext,
  type VoteParams,
  choice,
  election,
  motion,
  slots,
  voteContext,
} from './params';
export { type Credential, credentialFromSeed, generateCredential, checkPublicKey, verifySignature } from './credential';
export {
  type Ballot,
  type Selection,
  type Tracker,
  castBallot,
  decodeBallot,
  selectionSlots,
  trackerOf,
  verifyBallot,
} from './ballot';
export {
  type ChallengeResponse,
  type Complaint,
  type Dealer,
  type DealerMessage,
  type DkgTranscript,
  type Envelope,
  type KeyShare,
  type Qualified,
  checkDealer,
  combineShares,
  jointKey,
  newDealer,
  openEnvelope,
  qualify,
  receiveShare,
  shareEnvelope,
  verificationKey,
} from './dkg';
export { type Ciphertext, type PartialDecryption, combine, discreteLogs, lagrangeAtZero, partialDecrypt, verifyPartial } from './decrypt';
export {
  BOARD_VERSION,
  type Board,
  type BoardBallot,
  type BoardCheck,
  type Problem,
  type WireCiphertext,
  boardBallot,
  findTracker,
  partialDecryptBallots,
  sumCiphertexts,
  tallyFromWire,
  verifyBoard,
  wireCiphertext,
} from './board';
