// One table of malformed inputs: each case is the bytes of its files (the first one is the culprit),
// their names, and a fragment of the message the user must see (which file, which line, what was
// expected). tests/data/malformed.test.ts runs every case through the CLI's loader and the browser's
// (the worker's upload path); malformed.cli.test.ts a few through a real `npm run cli -- inspect`.
import { strToU8, zipSync } from 'fflate';

export interface MalformedFile {
  readonly path: string;
  readonly bytes: Uint8Array;
}

export interface MalformedCase {
  readonly name: string;
  readonly files: readonly MalformedFile[];
  /** A fragment of the message (exact substring). */
  readonly message: string;
}

const text = (path: string, body: string): MalformedFile => ({ path, bytes: strToU8(body) });
const raw = (path: string, bytes: number[] | Uint8Array): MalformedFile => ({
  path,
  bytes: Uint8Array.from(bytes),
});
const utf16le = (s: string) => Uint8Array.from([...s].flatMap((c) => [c.charCodeAt(0), 0]));
const utf16be = (s: string) => Uint8Array.from([...s].flatMap((c) => [0, c.charCodeAt(0)]));

const GOOD_UDATA = '1\t1\t5\t881250949\n1\t2\t3\t881250950\n2\t1\t4\t881250951\n';
const flags = (...on: number[]) =>
  Array.from({ length: 19 }, (_, g) => (on.includes(g) ? '1' : '0')).join('|');
const U_ITEM = `1|Film A (1995)|01-Jan-1995||http://x|${flags(1)}\n2|Film B (1997)|01-Jan-1997||http://x|${flags(2)}\n`;
const U_USER = '1|24|M|technician|85711\n2|53|F|other|94043\n';
const ML1M_RATINGS = '1::1::5::978300760\n1::2::3::978302109\n2::1::4::978301968\n';
const USERS_DAT = '1::F::1::10::48067\n2::M::56::16::70072\n';
const MOVIES_DAT = '1::Toy Story (1995)::Animation|Comedy\n2::Jumanji (1995)::Adventure\n';
const RECBOLE_HEADER = 'user_id:token\titem_id:token\trating:float\ttimestamp:float\n';

/** u.data with `bad` as line 2 between two good lines. */
const udata = (bad: string, name = 'u.data') =>
  text(name, `1\t1\t5\t881250949\n${bad}\n2\t2\t3\t881250951\n`);
const ml1m = (bad: string) => text('ratings.dat', `1::1::5::978300760\n${bad}\n2::2::3::978302109\n`);

/** MeLU's six split files with `override` replacing some of them (name -> JSON text). */
function split(override: Record<string, string>): MalformedFile[] {
  const base: Record<string, string> = {
    'user_cold_state.json': '{"1": [1, 2]}',
    'user_cold_state_y.json': '{"1": [5, 3]}',
    'item_cold_state.json': '{"2": [1]}',
    'item_cold_state_y.json': '{"2": [4]}',
    'user_and_item_cold_state.json': '{"1": [2]}',
    'user_and_item_cold_state_y.json': '{"1": [3]}',
  };
  const merged = { ...base, ...override };
  const culprit = Object.keys(override)[0]!;
  const names = [culprit, ...Object.keys(merged).filter((n) => n !== culprit)];
  return names.filter((n) => merged[n] !== '').map((n) => text(n, merged[n]!));
}

/** A zip of `entries`, then `patch` applied to its bytes (forged headers). */
function zip(
  name: string,
  entries: Record<string, string>,
  patch?: (view: DataView, bytes: Uint8Array) => void,
) {
  const bytes = zipSync(Object.fromEntries(Object.entries(entries).map(([k, v]) => [k, strToU8(v)])));
  patch?.(new DataView(bytes.buffer), bytes);
  return { path: name, bytes };
}

/** Sets the uncompressed size of every entry, local and central headers alike (a lying archive). */
const declareSize = (size: number) => (view: DataView, bytes: Uint8Array) => {
  for (let i = 0; i + 4 <= bytes.length; i++) {
    const sig = view.getUint32(i, true);
    if (sig === 0x04034b50) view.setUint32(i + 22, size, true);
    if (sig === 0x02014b50) view.setUint32(i + 24, size, true);
  }
};

const BIG_UDATA = '1\t1\t5\t881250949\n'.repeat(200);

export const MALFORMED: readonly MalformedCase[] = [
  // --- u.data: ids
  {
    name: 'user id not a number',
    files: [udata('abc\t1\t4\t881250949')],
    message: 'Expected an integer user id at u.data line 2, got abc',
  },
  {
    name: 'user id zero',
    files: [udata('0\t1\t4\t881250949')],
    message: 'Expected a positive integer user id at u.data line 2, got 0',
  },
  {
    name: 'user id negative',
    files: [udata('-3\t1\t4\t881250949')],
    message: 'Expected a positive integer user id at u.data line 2, got -3',
  },
  {
    name: 'user id decimal',
    files: [udata('1.5\t1\t4\t881250949')],
    message: 'Expected an integer user id at u.data line 2, got 1.5',
  },
  {
    name: 'user id beyond 32 bits',
    files: [udata('99999999999\t1\t4\t881250949')],
    message: 'Expected an integer user id at u.data line 2, got 99999999999',
  },
  {
    name: 'user id with a space inside',
    files: [udata('1 2\t1\t4\t881250949')],
    message: 'Expected an integer user id at u.data line 2, got 1 2',
  },
  {
    name: 'item id not a number',
    files: [udata('1\tx\t4\t881250949')],
    message: 'Expected an integer item id at u.data line 2, got x',
  },
  {
    name: 'item id zero',
    files: [udata('1\t0\t4\t881250949')],
    message: 'Expected a positive integer item id at u.data line 2, got 0',
  },
  {
    name: 'item id negative',
    files: [udata('1\t-2\t4\t881250949')],
    message: 'Expected a positive integer item id at u.data line 2, got -2',
  },
  {
    name: 'item id hexadecimal',
    files: [udata('1\t0x1F\t4\t881250949')],
    message: 'Expected an integer item id at u.data line 2, got 0x1F',
  },
  // --- u.data: ratings
  {
    name: 'rating above 5',
    files: [udata('1\t2\t7\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got 7',
  },
  {
    name: 'rating zero',
    files: [udata('1\t2\t0\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got 0',
  },
  {
    name: 'rating negative',
    files: [udata('1\t2\t-1\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got -1',
  },
  {
    name: 'rating half star',
    files: [udata('1\t2\t4.5\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got 4.5',
  },
  {
    name: 'rating a word',
    files: [udata('1\t2\tfive\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got five',
  },
  {
    name: 'rating empty',
    files: [udata('1\t2\t\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got an empty value',
  },
  {
    name: 'rating NaN',
    files: [udata('1\t2\tNaN\t881250949')],
    message: 'Expected rating in 1..5 at u.data line 2, got NaN',
  },
  // --- u.data: timestamps
  {
    name: 'timestamp a word',
    files: [udata('1\t2\t4\tyesterday')],
    message: 'Expected a numeric timestamp at u.data line 2, got yesterday',
  },
  {
    name: 'timestamp empty',
    files: [udata('1\t2\t4\t')],
    message: 'Expected a numeric timestamp at u.data line 2, got an empty value',
  },
  {
    name: 'timestamp in milliseconds',
    files: [udata('1\t2\t4\t881250949000')],
    message:
      'Expected a Unix time in seconds (0..4102444800; milliseconds?) at u.data line 2, got 881250949000',
  },
  {
    name: 'timestamp negative',
    files: [udata('1\t2\t4\t-5')],
    message: 'Expected a Unix time in seconds (0..4102444800) at u.data line 2, got -5',
  },
  {
    name: 'timestamp after 2100',
    files: [udata('1\t2\t4\t5000000000')],
    message: 'Expected a Unix time in seconds (0..4102444800) at u.data line 2, got 5000000000',
  },
  {
    name: 'timestamp a date',
    files: [udata('1\t2\t4\t1997-12-04')],
    message: 'Expected a numeric timestamp at u.data line 2, got 1997-12-04',
  },
  // --- u.data: shape
  {
    name: 'three columns',
    files: [udata('1\t2\t4')],
    message: 'Expected 4 tab-separated fields (user, item, rating, timestamp) at u.data line 2, got 1\t2\t4',
  },
  {
    name: 'five columns',
    files: [udata('1\t2\t4\t881250949\t9')],
    message:
      'Expected 4 tab-separated fields (user, item, rating, timestamp) at u.data line 2, got 1\t2\t4\t881250949\t9',
  },
  {
    name: 'commas instead of tabs',
    files: [udata('1,2,4,881250949')],
    message:
      'Expected 4 tab-separated fields (user, item, rating, timestamp) at u.data line 2, got 1,2,4,881250949',
  },
  {
    name: 'duplicate (user, item) pair',
    files: [text('u.data', '1\t1\t5\t881250949\n2\t1\t3\t881250950\n1\t1\t2\t881250960\n')],
    message:
      'Expected one rating per (user, item) pair at u.data line 3, got user 1 and item 1 again (first at line 1)',
  },
  {
    name: 'CRLF lines keep their numbers',
    files: [text('u.data', '1\t1\t5\t881250949\r\n1\t2\t3\t881250950\r\n2\t1\t9\t881250951\r\n')],
    message: 'Expected rating in 1..5 at u.data line 3, got 9',
  },
  {
    name: 'byte-order mark then a bad line 2',
    files: [raw('u.data', [0xef, 0xbb, 0xbf, ...strToU8('1\t1\t5\t881250949\n1\t2\t6\t881250950\n')])],
    message: 'Expected rating in 1..5 at u.data line 2, got 6',
  },
  {
    name: 'blank lines are counted in line numbers',
    files: [text('u.data', '1\t1\t5\t881250949\n\n\n1\t2\tx\t881250950\n')],
    message: 'Expected rating in 1..5 at u.data line 4, got x',
  },
  {
    name: 'empty u.data',
    files: [text('u.data', '')],
    message: 'Expected ratings (ml-100k) rows at u.data, got an empty file',
  },
  {
    name: 'u.data of blanks only',
    files: [text('u.data', '\n \r\n\t\n')],
    message: 'Expected ratings (ml-100k) rows at u.data, got an empty file',
  },
  // --- encodings
  {
    name: 'UTF-16 LE with a byte-order mark',
    files: [raw('u.data', [0xff, 0xfe, ...utf16le(GOOD_UDATA)])],
    message:
      'Expected UTF-8 or latin-1 text at u.data, got UTF-16 (little-endian byte-order mark); save the file as UTF-8',
  },
  {
    name: 'UTF-16 BE with a byte-order mark',
    files: [raw('u.data', [0xfe, 0xff, ...utf16be(GOOD_UDATA)])],
    message: 'Expected UTF-8 or latin-1 text at u.data, got UTF-16 (big-endian byte-order mark)',
  },
  {
    name: 'UTF-16 without a byte-order mark',
    files: [raw('u.data', utf16le(GOOD_UDATA))],
    message:
      'Expected UTF-8 or latin-1 text at u.data, got what looks like UTF-16 text without a byte-order mark',
  },
  {
    name: 'UTF-32 LE with a byte-order mark',
    files: [raw('u.data', [0xff, 0xfe, 0, 0, 0x31, 0, 0, 0])],
    message: 'Expected UTF-8 or latin-1 text at u.data, got UTF-32 (little-endian byte-order mark)',
  },
  {
    name: 'a PNG named u.data',
    files: [raw('u.data', [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    message: 'Expected a text file at u.data, got binary data (a NUL byte near the start)',
  },
  {
    name: 'UTF-16 users.dat with a byte-order mark',
    files: [text('ratings.dat', ML1M_RATINGS), raw('users.dat', [0xff, 0xfe, ...utf16le(USERS_DAT)])],
    message: 'Expected UTF-8 or latin-1 text at users.dat, got UTF-16 (little-endian byte-order mark)',
  },
  // --- ml-1m ratings.dat
  {
    name: 'ratings.dat with commas',
    files: [ml1m('1,2,3,978300760')],
    message:
      'Expected 4 "::"-separated fields (user::item::rating::timestamp) at ratings.dat line 2, got 1,2,3,978300760',
  },
  {
    name: 'ratings.dat rating 6',
    files: [ml1m('1::2::6::978300760')],
    message: 'Expected rating in 1..5 at ratings.dat line 2, got 6',
  },
  {
    name: 'ratings.dat missing a field',
    files: [ml1m('1::2::978300760')],
    message:
      'Expected 4 "::"-separated fields (user::item::rating::timestamp) at ratings.dat line 2, got 1::2::978300760',
  },
  {
    name: 'ratings.dat user id zero',
    files: [ml1m('0::2::3::978300760')],
    message: 'Expected a positive integer user id at ratings.dat line 2, got 0',
  },
  {
    name: 'ratings.dat duplicate pair',
    files: [text('ratings.dat', '1::1::5::978300760\n1::1::4::978300761\n')],
    message:
      'Expected one rating per (user, item) pair at ratings.dat line 2, got user 1 and item 1 again (first at line 1)',
  },
  {
    name: 'ratings.dat timestamp in milliseconds',
    files: [ml1m('1::2::3::978300760000')],
    message:
      'Expected a Unix time in seconds (0..4102444800; milliseconds?) at ratings.dat line 2, got 978300760000',
  },
  {
    name: 'empty ratings.dat',
    files: [text('ratings.dat', ''), text('users.dat', USERS_DAT)],
    message: 'Expected ratings (ml-1m) rows at ratings.dat, got an empty file',
  },
  // --- RecBole
  {
    name: 'RecBole missing field',
    files: [text('a.inter', `${RECBOLE_HEADER}1\t2\t3\t4\n1\t2\t3\n`)],
    message:
      'Expected 4 tab-separated fields (user_id, item_id, rating, timestamp) at a.inter line 3, got 1\t2\t3',
  },
  {
    name: 'RecBole rating a word',
    files: [text('a.inter', `${RECBOLE_HEADER}1\t2\tgood\t4\n`)],
    message: 'Expected a numeric rating at a.inter line 2, got good',
  },
  {
    name: 'RecBole header without types',
    files: [text('a.user', 'user_id:token\tage:number\n1\t20\n')],
    message: 'at a.user line 1, got age:number',
  },
  {
    name: 'RecBole user id zero',
    files: [text('a.inter', `${RECBOLE_HEADER}0\t2\t3\t4\n`)],
    message: 'Expected a positive integer user id at a.inter line 2, got 0',
  },
  // --- profiles and items
  {
    name: 'u.user age a word',
    files: [text('u.data', GOOD_UDATA), text('u.user', '1|old|M|technician|85711\n')],
    message: 'Expected an age in years at u.user line 1, got old',
  },
  {
    name: 'u.user gender X',
    files: [text('u.data', GOOD_UDATA), text('u.user', '1|24|M|technician|85711\n2|30|X|other|94043\n')],
    message: 'Expected gender M or F at u.user line 2, got X',
  },
  {
    name: 'u.user four fields',
    files: [text('u.data', GOOD_UDATA), text('u.user', '1|24|M|technician\n')],
    message: 'at u.user line 1, got 1|24|M|technician',
  },
  {
    name: 'u.user repeated id',
    files: [text('u.data', GOOD_UDATA), text('u.user', `${U_USER}1|30|F|writer|12345\n`)],
    message: 'u.user line 3',
  },
  {
    name: 'u.user id a word',
    files: [text('u.data', GOOD_UDATA), text('u.user', 'one|24|M|technician|85711\n')],
    message: 'at u.user line 1, got one',
  },
  {
    name: 'u.item 25 fields',
    files: [text('u.data', GOOD_UDATA), text('u.item', `1|T (1995)|01-Jan-1995||http://x|${flags(1)}|1\n`)],
    message: "Expected 24 '|'-separated fields",
  },
  {
    name: 'u.item genre flag 2',
    files: [
      text('u.data', GOOD_UDATA),
      text('u.item', `1|T (1995)|01-Jan-1995||http://x|${flags(1).replace(/^0/, '2')}\n`),
    ],
    message: 'Expected genre flag 0 or 1 in field 6 at u.item line 1, got 2',
  },
  {
    name: 'u.item repeated id',
    files: [
      text('u.data', GOOD_UDATA),
      text('u.item', `${U_ITEM}2|Film C (1999)|01-Jan-1999||http://x|${flags(3)}\n`),
    ],
    message: 'u.item line 3',
  },
  {
    name: 'u.genre line without index',
    files: [text('u.data', GOOD_UDATA), text('u.genre', 'unknown|0\nAction\n')],
    message: 'Expected "name|index" at u.genre line 2, got Action',
  },
  {
    name: 'empty u.user',
    files: [text('u.data', GOOD_UDATA), text('u.user', '')],
    message: 'Expected users (ml-100k) rows at u.user, got an empty file',
  },
  {
    name: 'users.dat age group 33',
    files: [
      text('ratings.dat', ML1M_RATINGS),
      text('users.dat', '1::F::1::10::48067\n2::F::33::10::48067\n'),
    ],
    message: 'Expected an age group (1, 18, 25, 35, 45, 50, 56) at users.dat line 2, got 33',
  },
  {
    name: 'movies.dat two fields',
    files: [text('ratings.dat', ML1M_RATINGS), text('movies.dat', '1::Film (1995)\n')],
    message: 'Expected 3 "::"-separated fields (id::title::genres) at movies.dat line 1, got 1::Film (1995)',
  },
  {
    name: 'movies_extrainfos.dat short line',
    files: [
      text('ratings.dat', ML1M_RATINGS),
      text('movies_extrainfos.dat', '1::A::1995::PG::x::Drama::D::W::Actor\r\n'),
    ],
    message: 'at movies_extrainfos.dat line 1, got 1::A::1995',
  },
  // --- MeLU split files
  {
    name: 'split file not JSON',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'user_cold_state.json': '{"1": [1, 2' })],
    message: 'Expected a JSON object at user_cold_state.json',
  },
  {
    name: 'split file a JSON array',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'item_cold_state.json': '[1, 2]' })],
    message: 'Expected a JSON object of user id -> list at item_cold_state.json, got object',
  },
  {
    name: 'split file without its _y partner',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'user_cold_state_y.json': '' })],
    message:
      "MeLU's split needs user_cold_state.json and user_cold_state_y.json; user_cold_state_y.json is missing",
  },
  {
    name: 'split x and y of different lengths',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'user_cold_state_y.json': '{"1": [5]}' })],
    message:
      'Expected 2 ratings for user 1 (as many as movies in user_cold_state.json) at user_cold_state_y.json, got 1',
  },
  {
    name: 'split movie id a word',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'item_cold_state.json': '{"2": ["Toy Story"]}' })],
    message: 'Expected integer movie ids for user 2 at item_cold_state.json, got Toy Story',
  },
  {
    name: 'split rating a word',
    files: [text('ratings.dat', ML1M_RATINGS), ...split({ 'item_cold_state_y.json': '{"2": ["good"]}' })],
    message: 'Expected numeric ratings for user 2 at item_cold_state_y.json, got good',
  },
  {
    name: 'split user key not an integer',
    files: [
      text('ratings.dat', ML1M_RATINGS),
      ...split({ 'user_cold_state.json': '{"u1": [1, 2]}', 'user_cold_state_y.json': '{"u1": [5, 3]}' }),
    ],
    message: 'Expected integer user ids as keys at user_cold_state.json, got u1',
  },
  {
    name: 'split names a user the users file lacks',
    files: [
      text('users.dat', USERS_DAT),
      text('ratings.dat', ML1M_RATINGS),
      ...split({
        'user_cold_state.json': '{\n"1": [1, 2],\n"9999": [1]\n}',
        'user_cold_state_y.json': '{"1": [5, 3], "9999": [4]}',
      }),
    ],
    message:
      'Expected user ids of the users file at user_cold_state.json line 3, got user 9999, which the users file does not have',
  },
  {
    name: 'split names a movie no item file has',
    files: [
      text('movies.dat', MOVIES_DAT),
      text('ratings.dat', ML1M_RATINGS),
      ...split({
        'item_cold_state.json': '{"2": [\n1,\n4242\n]}',
        'item_cold_state_y.json': '{"2": [4, 5]}',
      }),
    ],
    message: 'Expected movie ids of the item files at item_cold_state.json line 3, got movie 4242 for user 2',
  },
  // --- zips
  {
    name: 'zip entry climbing out with ../',
    files: [zip('ml.zip', { 'ml-100k/u.data': GOOD_UDATA, '../evil.sh': 'x' })],
    message: 'Expected member paths inside the archive at ml.zip, got ../evil.sh',
  },
  {
    name: 'zip entry with an absolute path',
    files: [zip('ml.zip', { '/etc/cron.d/x': 'x', 'u.data': GOOD_UDATA })],
    message: 'Expected member paths inside the archive at ml.zip, got /etc/cron.d/x',
  },
  {
    name: 'zip entry with a drive letter',
    files: [zip('ml.zip', { 'C:/Windows/x': 'x' })],
    message: 'Expected member paths inside the archive at ml.zip, got C:/Windows/x',
  },
  {
    name: 'zip entry climbing out from a folder',
    files: [zip('ml.zip', { 'ml-100k/../../x': 'x' })],
    message: 'Expected member paths inside the archive at ml.zip, got ml-100k/../../x',
  },
  {
    name: 'zip declaring fewer bytes than it holds',
    files: [zip('ml.zip', { 'u.data': BIG_UDATA }, declareSize(10))],
    message:
      'Expected ml.zip/u.data to hold the 10 bytes its header declares, got bytes that fail its CRC-32 check',
  },
  {
    name: 'zip declaring more bytes than it holds',
    files: [zip('ml.zip', { 'u.data': GOOD_UDATA }, declareSize(5000))],
    message: `Expected ml.zip/u.data to hold the 5000 bytes its header declares, got ${GOOD_UDATA.length} bytes`,
  },
  {
    name: 'zip bomb: declared sizes over the limit',
    files: [zip('bomb.zip', { 'u.data': BIG_UDATA }, declareSize(700 * 1024 * 1024))],
    message: 'The input is larger than the 600.0 MB limit (over 700.0 MB at bomb.zip/u.data)',
  },
  {
    name: 'truncated zip',
    files: [
      (() => {
        const z = zip('ml.zip', { 'u.data': BIG_UDATA });
        return { path: z.path, bytes: z.bytes.subarray(0, z.bytes.length - 30) };
      })(),
    ],
    message:
      'Expected a complete zip archive at ml.zip, got invalid zip data (a truncated or damaged download?',
  },
  {
    name: 'a text file named .zip',
    files: [text('ml.zip', GOOD_UDATA)],
    message: 'Expected a complete zip archive at ml.zip, got invalid zip data',
  },
  {
    name: 'zip holding a malformed u.data',
    files: [zip('ml-100k.zip', { 'ml-100k/u.data': '1\t1\t5\t881250949\n1\t2\t8\t881250950\n' })],
    message: 'Expected rating in 1..5 at ml-100k.zip/ml-100k/u.data line 2, got 8',
  },
  // --- nothing usable
  {
    name: 'no MovieLens file at all',
    files: [text('notes.txt', 'hello')],
    message: 'No MovieLens data found among: notes.txt',
  },
  {
    name: 'items without ratings',
    files: [text('u.item', U_ITEM)],
    message: 'No ratings file among u.item: expected u.data, ratings.dat or a .inter file.',
  },
];
