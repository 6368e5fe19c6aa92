// generateName: Kubernetes appends five characters from an alphabet without vowels (no accidental
// words) and without look-alike characters; a collision is retried with fresh characters.
import { randomInt } from 'node:crypto';

const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
const maxNameLength = 63;
const randomLength = 5;

export function generateName(base: string): string {
  const prefix =
    base.length > maxNameLength - randomLength ? base.slice(0, maxNameLength - randomLength) : base;
  let suffix = '';
  for (let i = 0; i < randomLength; i++) suffix += alphabet[randomInt(alphabet.length)];
  return prefix + suffix;
}

/** How many fresh names a create tries before reporting AlreadyExists. */
export const generateNameAttempts = 8;
