import { readFileSync } from 'node:fs';
import yargs from 'yargs';
import { parse as parseYaml } from 'yaml';
import { type Config, type OptionName, type OptionSpec, envName, optionEntries, OPTIONS } from './options.js';
import { coerce } from './validate.js';
import { PROFILES_DIR } from '../generation/assets.js';

export type LoadResult =
  | { kind: 'ok'; config: Config }
  | { kind: 'exit'; code: number; output: string }
  | { kind: 'invalid'; problems: string[] };

/** Config-file keys may be written as the flag (`dcgm-num-gpus`), snake_case or camelCase. */
function normaliseKey(key: string): string {
  return key
    .replace(/[A-Z]/g, (c) => '-' + c.toLowerCase())
    .replace(/_/g, '-')
    .toLowerCase();
}

const BY_FLAG = new Map<string, OptionName>(optionEntries().map(([name, spec]) => [spec.flag, name]));

function readConfigFile(path: string): { values: Record<string, unknown>; problems: string[] } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { values: {}, problems: [`--config: cannot read ${JSON.stringify(path)}: ${(err as Error).message}`] };
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON, so one parser takes both
  } catch (err) {
    return {
      values: {},
      problems: [`--config: ${JSON.stringify(path)} is not valid YAML/JSON: ${(err as Error).message}`],
    };
  }
  if (doc === null || doc === undefined) return { values: {}, problems: [] };
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    return {
      values: {},
      problems: [`--config: ${JSON.stringify(path)} must hold a mapping of option names to values`],
    };
  }
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, value] of Object.entries(doc as Record<string, unknown>)) {
    const name = BY_FLAG.get(normaliseKey(key));
    if (!name || name === 'config') problems.push(`--config: unknown option ${JSON.stringify(key)} in ${path}`);
    else values[name] = value;
  }
  return { values, problems };
}

function buildParser(argv: readonly string[]) {
  let parser = yargs([...argv])
    .scriptName('aiperf-mock-server')
    .usage('$0 [options]\n\nMock LLM inference server. Every option is also read from MOCK_SERVER_<OPTION>.')
    .parserConfiguration({ 'boolean-negation': false, 'camel-case-expansion': false, 'dot-notation': false })
    .strict()
    .help('help')
    .alias('help', 'h')
    .version(false)
    .wrap(110);
  for (const [, spec] of optionEntries()) {
    const defaultText = 'default' in spec && spec.default !== undefined ? String(spec.default) : undefined;
    parser = parser.option(spec.flag, {
      alias: spec.alias,
      type: spec.kind === 'boolean' ? 'boolean' : 'string',
      describe: `${spec.describe} [env ${envName(spec)}]`,
      group: `${spec.group}:`,
      ...(defaultText !== undefined ? { defaultDescription: defaultText } : {}),
    });
    if (spec.kind === 'boolean' && spec.default === true) {
      parser = parser.option(`no-${spec.flag}`, { type: 'boolean', hidden: true });
    }
  }
  return parser;
}

/**
 * Resolves the configuration: CLI > env MOCK_SERVER_* > config file > defaults, validated once.
 * Returns every problem at once instead of stopping at the first.
 */
export function loadConfig(argv: readonly string[], env: NodeJS.ProcessEnv): LoadResult {
  let failure: string | undefined;
  let helpOutput: string | undefined;
  const parser = buildParser(argv)
    .fail((msg) => {
      failure = msg;
    })
    .exitProcess(false);
  let cli: Record<string, unknown>;
  try {
    cli = parser.parseSync(argv as string[], {}, (_err, _argv, output) => {
      if (output) helpOutput = output;
    }) as Record<string, unknown>;
  } catch (err) {
    failure = (err as Error).message;
    cli = {};
  }
  if (failure) return { kind: 'invalid', problems: [failure] };
  if (helpOutput !== undefined) return { kind: 'exit', code: 0, output: helpOutput };

  const problems: string[] = [];
  const fromCli = (spec: OptionSpec): unknown => {
    if (spec.kind === 'boolean' && cli[`no-${spec.flag}`] === true) return false;
    return cli[spec.flag];
  };
  const configPath = (cli['config'] as string | undefined) ?? env[envName(OPTIONS.config)];
  const file = configPath ? readConfigFile(configPath) : { values: {}, problems: [] };
  problems.push(...file.problems);
  // A profile is one more file layer, below --config.
  const profileName = (cli['profile'] as string | undefined) ?? env[envName(OPTIONS.profile)] ?? file.values['profile'];
  const profile =
    typeof profileName === 'string' && profileName !== ''
      ? readConfigFile(profilePath(profileName))
      : { values: {}, problems: [] };
  problems.push(...profile.problems.map((p) => p.replace('--config', '--profile')));

  const out: Record<string, unknown> = {};
  for (const [name, spec] of optionEntries()) {
    const candidates: [unknown, string][] = [
      [fromCli(spec), 'command line'],
      [env[envName(spec)], envName(spec)],
      [file.values[name], 'config file'],
      [name === 'profile' ? undefined : profile.values[name], 'profile'],
    ];
    const hit = candidates.find(
      ([v]) => v !== undefined && !(typeof v === 'string' && v === '' && spec.kind !== 'string'),
    );
    if (!hit) {
      out[name] = 'default' in spec ? spec.default : undefined;
      continue;
    }
    const result = coerce(spec, hit[0], hit[1]);
    if (result.ok) out[name] = result.value;
    else problems.push(result.problem);
  }
  if (out['queueFullStatus'] !== 429 && out['queueFullStatus'] !== 503)
    problems.push(`--queue-full-status must be 429 or 503, got ${String(out['queueFullStatus'])}`);
  if (out['adminApi'] === true && !out['adminKey'] && ['0.0.0.0', '::', ''].includes(String(out['host'])))
    problems.push('--admin-api on all interfaces needs --admin-key (or bind --host 127.0.0.1)');
  const kvEvents = out['kvEventsEndpoint'];
  if (typeof kvEvents === 'string' && kvEvents !== '' && !/^(tcp|ipc|inproc):\/\/./.test(kvEvents))
    problems.push(`--kv-events-endpoint must be a ZeroMQ address (tcp://, ipc:// or inproc://), got ${kvEvents}`);
  if (problems.length > 0) return { kind: 'invalid', problems };
  return { kind: 'ok', config: finalise(out as Config) };
}

/** A profile name (a file in the repo's profiles/) or a path to a YAML/JSON file. */
function profilePath(name: string): string {
  return /^[a-z0-9][a-z0-9.-]*$/.test(name) ? `${PROFILES_DIR}${name}.yaml` : name;
}

/** Derived rules that hold whatever the source: `--fast` zeroes every latency, `-v` forces DEBUG. */
function finalise(config: Config): Config {
  const c = { ...config } as { -readonly [K in keyof Config]: Config[K] };
  if (c.fast) {
    c.ttft = 0;
    c.itl = 0;
    // Unlike upstream, fast means no sleep at all: the penalties are latencies too.
    c.ttftPerIslTokenMs = 0;
    c.itlPerOslTokenMs = 0;
    c.ttftConcurrencyQuadMs = 0;
    c.itlConcurrencyLinMs = 0;
    c.embeddingBaseLatency = 0;
    c.embeddingPerInputLatency = 0;
    c.rankingBaseLatency = 0;
    c.rankingPerPassageLatency = 0;
    c.imageGenerationMs = 0;
    c.videoGenerationMs = 0;
  }
  if (c.verbose) c.logLevel = 'DEBUG';
  return c;
}

/** The effective config as shown by `/health` and `/`: secrets never appear. */
export function publicConfig(config: Config): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [name, spec] of optionEntries()) {
    if ('secret' in spec && spec.secret) continue;
    shown[name] = config[name];
  }
  return shown;
}
