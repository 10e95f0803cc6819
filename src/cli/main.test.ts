/** The `salvage` command's handling of bad usage, run as a user runs it (README "Exit codes"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../../test/helpers/run-cli.js';

const EXIT_USAGE = 2;
/** The CLI, each case in a process of its own; they run side by side (each costs a second to start). */
const salvage = (...args: string[]): ReturnType<typeof runCli> => runCli(args);

test("commander's usage errors, on any subcommand, exit 2 with one line on stderr and nothing on stdout", async () => {
  const cases: [args: string[], message: RegExp][] = [
    [['extract', 'page.html', '--bogus'], /^error: unknown option '--bogus'/],
    [['search', 'archive', '--bogus'], /^error: unknown option '--bogus'/],
    // Commander's "(Did you mean --out?)" comes on the same line.
    [['extract', 'page.html', '--ot', 'x'], /^error: unknown option '--ot'.*Did you mean --out\?/],
    [['status'], /^error: missing required argument 'dir'/],
    [['archive', 'hkcnews'], /^error: required option '-o, --out <dir>' not specified/],
    [['export', 'archive', '--format', 'csv'], /^error: option '--format <format>' argument 'csv' is invalid/],
    [['search', 'archive', '--limit', '-3'], /^error: option '--limit <n>' argument '-3' is invalid/],
    [['search', 'archive', '--offset', 'ten'], /^error: option '--offset <n>' argument 'ten' is invalid/],
    [['search', 'archive', '--offset', '-1'], /^error: option '--offset <n>' argument '-1' is invalid/],
    [['rebuild', 'a', 'b'], /^error: too many arguments for 'rebuild'/],
    [['nosuchcommand'], /^error: unknown command 'nosuchcommand'/],
  ];
  const runs = await Promise.all(cases.map(([args]) => salvage(...args)));
  cases.forEach(([args, message], i) => {
    const r = runs[i]!; // one run per case
    const what = `salvage ${args.join(' ')}: ${r.stderr}`;
    assert.equal(r.status, EXIT_USAGE, what);
    assert.match(r.stderr, /^[^\n]+\n$/, `one line, no stack trace: ${what}`);
    assert.match(r.stderr, message, what);
    assert.equal(r.stdout, '', what);
  });
});

test('--help, help COMMAND and --version still exit 0 with their text on stdout', async () => {
  const [help, commandHelp, helpCommand, version] = await Promise.all([
    salvage('--help'),
    salvage('archive', '--help'),
    salvage('help', 'verify'),
    salvage('--version'),
  ]);
  for (const r of [help, commandHelp, helpCommand, version]) {
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
  }
  assert.match(help.stdout, /^Usage: salvage \[options\] \[command\]/);
  assert.match(commandHelp.stdout, /^Usage: salvage archive \[options\] <site>/);
  assert.match(helpCommand.stdout, /^Usage: salvage verify \[options\] <path>/);
  assert.match(version.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('no command at all is bad usage too: the help on stderr, exit 2', async () => {
  const r = await salvage();
  assert.equal(r.status, EXIT_USAGE);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^Usage: salvage \[options\] \[command\]/);
});
