/**
 * The tablet's document key. The documents issue generates an age X25519 identity here when the
 * tablet is paired and returns its public recipient (`age1…`) for `POST /api/devices/pair`;
 * the identity never leaves the tablet. Until then the tablet pairs without one.
 */
export async function deviceRecipient(): Promise<string | null> {
  return null;
}
