import { type OptionSpec } from './option-spec.js';

/** The runtime admin API, timelines, request recording and the accuracy oracle (all off by default). */
export const ADMIN_OPTIONS = {
  adminApi: {
    flag: 'admin-api',
    kind: 'boolean',
    default: false,
    group: 'Admin and scenarios',
    describe:
      'Serve /admin (live config, reset, request summary); on all interfaces it needs --admin-key. Setting --admin-key turns it on too',
  },
  adminKey: {
    flag: 'admin-key',
    kind: 'string',
    default: '',
    secret: true,
    group: 'Admin and scenarios',
    describe: '/admin requests must send it (X-Admin-Key, or Authorization: Bearer); compared in constant time',
  },
  scenario: {
    flag: 'scenario',
    kind: 'string',
    default: '',
    group: 'Admin and scenarios',
    describe: 'A YAML timeline of phases that change live options by elapsed time or request count (docs/admin.md)',
  },
  recordRequests: {
    flag: 'record-requests',
    kind: 'string',
    default: '',
    group: 'Admin and scenarios',
    describe:
      'Write one JSON line per request to this file (one file, written by the primary); slow disks drop records, counted',
  },
  recordBodies: {
    flag: 'record-bodies',
    kind: 'boolean',
    default: false,
    group: 'Admin and scenarios',
    describe: 'With --record-requests, also record request bodies (credentials are never recorded)',
  },
  accuracyDataset: {
    flag: 'accuracy-dataset',
    kind: 'string',
    default: '',
    group: 'Admin and scenarios',
    describe:
      'JSONL of prompts with gold answers: a matching request is answered right or wrong in the grader format; GET /accuracy tallies',
  },
  accuracyCorrectRate: {
    flag: 'accuracy-correct-rate',
    kind: 'number',
    default: 1,
    min: 0,
    max: 1,
    group: 'Admin and scenarios',
    describe: 'Share of matched accuracy prompts answered correctly (seeded by the prompt)',
  },
} as const satisfies Record<string, OptionSpec>;
