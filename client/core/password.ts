// The one-time password of a help request: three words the customer reads aloud and the technician types. It is
// made in the customer's browser and never sent to any server, not even in a URL: it is the low-entropy secret the
// two browsers run CPace over (client/core/handshake.ts). 256 words, so each is one random byte: 24 bits, more than
// six digits, and far easier to say and hear. Short, common, concrete nouns with no homophones among them. The same
// list spells the verification code both pages show after a handshake. Runtime-neutral: browsers, Workers, Deno and
// Node all import it.

import { randomBytes, utf8ToBytes } from "@noble/hashes/utils.js";

const WORDS = (
  "acorn actor album alert alley amber angle ankle apple apron arena arrow atlas attic autumn bacon badge " +
  "bagel baker banjo barn basket beach bench bison blade bloom boat bonus boots bottle brain brick bridge " +
  "broom brush bucket bugle butter cabin cactus camel camera candle canoe canvas carpet carrot castle " +
  "cattle cedar cello chalk cherry chess chimney circle city clock cloud clover coast cobra cocoa comet " +
  "coral corner cotton cousin coyote crab crane crayon cricket crown cube daisy dancer desert desk diamond " +
  "dinner doctor dolphin donkey dragon drum eagle earth echo elbow engine falcon farm feather fence ferry " +
  "field finger flag flame flute forest fossil fox frog garden garlic giant ginger giraffe glass globe " +
  "glove goat golf grape gravel guitar hammer harbor harp hawk helmet hill honey horse hotel igloo iron " +
  "island ivory jacket jaguar jelly jigsaw jungle kettle kitten kiwi koala ladder lagoon lamp lantern " +
  "lemon lettuce lily lion lizard lobster locket magnet mango maple marble meadow melon mirror monkey moon " +
  "motor muffin museum napkin needle nest noodle ocean olive onion orange orbit otter owl oyster paddle " +
  "palace panda paper parrot peanut pebble pencil pepper piano pickle pillow pilot planet pocket pony " +
  "potato puzzle quartz rabbit radio rainbow raven ribbon river robin rocket ruby saddle salmon sandal " +
  "scarf school shadow shark sheep shell shovel silver skate snail spider spoon squid stamp star statue " +
  "stone sugar summer sunset swan table tablet teapot tent ticket tiger toast tomato tower tractor train " +
  "tulip tunnel turtle valley velvet violin volcano wagon walnut whale wheat window winter wizard wolf " +
  "yogurt zebra"
).split(" ");

/** How many words a password has. */
export const PASSWORD_WORDS = 3;

/** How many random bits a password holds: one byte per word. */
export const PASSWORD_BITS = PASSWORD_WORDS * 8;

/** Each byte as the word it names, space separated: how passwords and verification codes are spelled. */
export function wordsOf(bytes: Uint8Array): string {
  return Array.from(bytes, (byte) => WORDS[byte] ?? "").join(" ");
}

/** A new password: three words, space separated, from the platform's CSPRNG; `random` is a parameter for tests. */
export function newPassword(random: (count: number) => Uint8Array = randomBytes): string {
  return wordsOf(random(PASSWORD_WORDS));
}

/**
 * What a technician typed, as the customer's page showed it: lower case, single spaces; null if it is not three
 * words of the list. Any case, full-width letters, and spaces, hyphens, commas or dots between the words are fine.
 */
export function normalisePassword(typed: string): string | null {
  const words = typed
    .normalize("NFKC")
    .toLowerCase()
    .split(/[^a-z]+/)
    .filter(Boolean);
  if (words.length !== PASSWORD_WORDS || !words.every((word) => WORDS.includes(word))) return null;
  return words.join(" ");
}

/** The PRS CPace runs over for a Get-help session: the normalised password's UTF-8 bytes, the same on both pages. */
export function prsOfPassword(normalised: string): Uint8Array {
  return utf8ToBytes(normalised);
}
