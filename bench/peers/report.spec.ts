import {
  alignTable,
  budgetComparison,
  comparisonTable,
  cpuBudget,
  cpuPerTask,
  groupPerTask,
  middle,
  ratioToBest,
  roundRatios,
  type SystemFigures,
} from './report.js';

function figures(name: string, over: Partial<SystemFigures>): SystemFigures {
  return {
    name,
    sequential: [[10]],
    loaded: [{ tasks: 100, seconds: 1 }],
    cpuSequential: [{ cpu: new Map([['server', 100]]), tasks: 10 }],
    cpuLoaded: [{ cpu: new Map([['server', 50]]), tasks: 10 }],
    rows: { written: 100, tasks: 10 },
    failures: 0,
    persistence: { checked: 10, stored: 10 },
    ...over,
  };
}

describe('ratioToBest', () => {
  const peers = [
    { name: 'LangGraph JS', value: 25 },
    { name: 'Mastra', value: 17.5 },
  ];

  it('divides by the lowest peer where lower is better, and names it', () => {
    expect(ratioToBest(35, peers, 'lower')).toEqual({ ratio: 2, peer: 'Mastra' });
  });

  it('divides by the highest peer where higher is better', () => {
    expect(ratioToBest(50, peers, 'higher')).toEqual({ ratio: 2, peer: 'LangGraph JS' });
  });

  it('skips peers without a figure, and has no ratio without one', () => {
    expect(ratioToBest(50, [{ name: 'x', value: NaN }, ...peers], 'higher').peer).toBe(
      'LangGraph JS',
    );
    expect(ratioToBest(NaN, peers, 'lower').ratio).toBeNaN();
    expect(ratioToBest(1, [], 'lower').ratio).toBeNaN();
  });
});

describe('comparisonTable', () => {
  const table = comparisonTable([
    figures('Switchboard', {
      sequential: [[40, 44, 50]],
      loaded: [
        { tasks: 400, seconds: 10 },
        { tasks: 500, seconds: 10 },
      ],
      cpuSequential: [
        {
          cpu: new Map([
            ['gateway', 300],
            ['audit', 260],
          ]),
          tasks: 10,
        },
      ],
      rows: { written: 130, tasks: 10 },
    }),
    figures('LangGraph JS', { sequential: [[25]], rows: { written: 310, tasks: 10 } }),
    figures('Mastra', { sequential: [[17.6]], loaded: [{ tasks: 97, seconds: 1 }] }),
  ]);
  const row = (label: string) => table.find((l) => l.startsWith(label)) ?? '';

  it('has a column per system and the ratio to the better peer on every row', () => {
    expect(table[0]).toMatch(/Switchboard\s+LangGraph JS\s+Mastra\s+Switchboard ÷ better peer$/);
    expect(row('sequential p50')).toMatch(/44\.0 ms\s+25\.0 ms\s+17\.6 ms\s+2\.50× \(Mastra\)$/);
    expect(row('sequential p99')).toMatch(/50\.0 ms .* 2\.84× \(Mastra\)$/);
    // 900 tasks in 20 s against LangGraph's 100/s (Mastra's 97/s is the lower peer here)
    expect(row('tasks/s, 64 in flight')).toMatch(/45\s+100\s+97\s+0\.45× \(LangGraph JS\)$/);
    expect(row('CPU per task, sequential')).toMatch(/56\.0 ms\s+10\.0 ms\s+10\.0 ms\s+5\.60×/);
    expect(row('PostgreSQL rows written per task')).toMatch(
      /13\.0\s+31\.0\s+10\.0\s+1\.30× \(Mastra\)$/,
    );
    expect(row('persistence check')).toMatch(/10\/10\s+10\/10\s+10\/10$/);
  });
});

describe('cpuBudget and budgetComparison', () => {
  const after = figures('Switchboard', {
    cpuSequential: [
      {
        cpu: new Map([
          ['audit', 100],
          ['orchestrator', 140],
        ]),
        tasks: 10,
      },
    ],
    cpuLoaded: [{ cpu: new Map([['audit', 40]]), tasks: 20 }],
  });
  const before = figures('before', {
    cpuSequential: [{ cpu: new Map([['audit', 130]]), tasks: 10 }],
    cpuLoaded: [{ cpu: new Map([['audit', 60]]), tasks: 20 }],
  });

  it('lists each process per task, largest first, with the total', () => {
    const lines = cpuBudget(after);
    expect(lines[1]).toMatch(/^ {2}orchestrator\s+14\.0\s+0\.0$/);
    expect(lines[2]).toMatch(/^ {2}audit\s+10\.0\s+2\.0$/);
    expect(lines[3]).toMatch(/^ {2}total\s+24\.0\s+2\.0$/);
  });

  it("shows a shared group (the PostgreSQL server's own processes) after the total, not in it", () => {
    const shared = 'PostgreSQL server processes (shared)';
    const withShared = figures('LangGraph JS', {
      cpuSequential: [
        {
          cpu: new Map([
            ['LangGraph JS server', 90],
            [shared, -150], // another user's load in the idle window
          ]),
          tasks: 10,
        },
      ],
      cpuLoaded: [{ cpu: new Map(), tasks: 10 }],
    });
    const lines = cpuBudget(withShared);
    expect(lines.slice(1)).toEqual([
      expect.stringMatching(/^ {2}LangGraph JS server\s+9\.0/),
      expect.stringMatching(/^ {2}total\s+9\.0\s+0\.0$/),
      expect.stringMatching(
        /^ {2}PostgreSQL server processes \(shared\), not in the total\s+-15\.0/,
      ),
    ]);
    expect(cpuPerTask(withShared.cpuSequential)).toBe(9);
    expect(budgetComparison(withShared, withShared).at(-1)).toMatch(/not in the total/);
  });

  it('shows the change per process between two builds for both load shapes', () => {
    const lines = budgetComparison(before, after);
    expect(lines.find((l) => l.includes('audit'))).toMatch(
      /audit\s+13\.0\s+10\.0\s+-3\.0\s+3\.0\s+2\.0\s+-1\.0$/,
    );
    expect(lines.find((l) => l.includes('orchestrator'))).toMatch(/0\.0\s+14\.0\s+\+14\.0/);
    expect(lines.at(-1)).toMatch(/total\s+13\.0\s+24\.0\s+\+11\.0\s+3\.0\s+2\.0\s+-1\.0$/);
  });
});

describe('alignTable', () => {
  it('pads the first column on the right and the others on the left', () => {
    expect(
      alignTable([
        ['a', 'bb'],
        ['ccc', 'd'],
      ]),
    ).toEqual(['a     bb', 'ccc    d']);
  });
});

describe('comparisonTable against named peers', () => {
  const table = comparisonTable(
    [
      figures('Switchboard', { sequential: [[12]], loaded: [{ tasks: 300, seconds: 1 }] }),
      figures('Mastra', { sequential: [[10]], loaded: [{ tasks: 200, seconds: 1 }] }),
      figures('Restate', { sequential: [[24]], loaded: [{ tasks: 150, seconds: 1 }] }),
    ],
    ['Restate', 'Mastra'],
  );

  it('adds a column of the ratio to each named peer, beside the better peer', () => {
    expect(table[0]).toMatch(/Switchboard ÷ better peer\s+÷ Restate\s+÷ Mastra$/);
    const p50 = table.find((l) => l.startsWith('sequential p50')) ?? '';
    expect(p50).toMatch(/1\.20× \(Mastra\)\s+0\.50×\s+1\.20×$/);
    const tps = table.find((l) => l.startsWith('tasks/s')) ?? '';
    expect(tps).toMatch(/1\.50× \(Mastra\)\s+2\.00×\s+1\.50×$/);
  });
});

describe('comparisonTable with the subject in two shapes', () => {
  const systems = [
    figures('Switchboard (cell)', { sequential: [[12]], loaded: [{ tasks: 300, seconds: 1 }] }),
    figures('Switchboard (services)', { sequential: [[8]], loaded: [{ tasks: 400, seconds: 1 }] }),
    figures('Restate', { sequential: [[24]], loaded: [{ tasks: 150, seconds: 1 }] }),
  ];
  const table = comparisonTable(systems, ['Restate', 'Switchboard (services)']);

  it('never takes its own other shape for the better peer, and divides by it when named', () => {
    expect(table[0]).toMatch(/÷ better peer\s+÷ Restate\s+÷ Switchboard \(services\)$/);
    const p50 = table.find((l) => l.startsWith('sequential p50')) ?? '';
    expect(p50).toMatch(/0\.50× \(Restate\)\s+0\.50×\s+1\.50×$/);
    expect(roundRatios(systems, ['Restate'])).toContain(
      'Switchboard (cell) ÷ better peer, round by round: sequential p50 0.50–0.50×',
    );
  });
});

describe('roundRatios', () => {
  it('gives the range of the ratio to the better peer over the rounds', () => {
    const line = roundRatios([
      figures('Switchboard', {
        sequential: [[30], [60]],
        loaded: [
          { tasks: 100, seconds: 1 },
          { tasks: 120, seconds: 1 },
        ],
      }),
      figures('LangGraph JS', {
        sequential: [[20], [20]],
        loaded: [
          { tasks: 50, seconds: 1 },
          { tasks: 150, seconds: 1 },
        ],
      }),
      figures('Mastra', {
        sequential: [[10], [40]],
        loaded: [
          { tasks: 80, seconds: 1 },
          { tasks: 100, seconds: 1 },
        ],
      }),
    ]);
    // round 1: 30 ÷ 10 and 100 ÷ 80; round 2: 60 ÷ 20 and 120 ÷ 150
    expect(line).toBe(
      'Switchboard ÷ better peer, round by round: sequential p50 3.00–3.00×, tasks/s 0.80–1.25×',
    );
  });

  it('adds a line for each named peer of the run (one not in it is left out)', () => {
    const line = roundRatios(
      [
        figures('Switchboard', { sequential: [[30], [60]], loaded: [{ tasks: 100, seconds: 1 }] }),
        figures('Restate', { sequential: [[20], [40]], loaded: [{ tasks: 50, seconds: 1 }] }),
        figures('Mastra', { sequential: [[10], [40]], loaded: [{ tasks: 80, seconds: 1 }] }),
      ],
      ['Restate', 'Temporal'],
    );
    expect(line.split('\n')).toEqual([
      'Switchboard ÷ better peer, round by round: sequential p50 1.50–3.00×, tasks/s 1.25–1.25×',
      'Switchboard ÷ Restate, round by round: sequential p50 1.50–1.50×, tasks/s 2.00–2.00×',
    ]);
  });
});

describe('CPU per task over rounds', () => {
  const round = (tasks: number, entries: [string, number][]) => ({ cpu: new Map(entries), tasks });

  it('takes each process group’s median over the rounds, so one round’s spike does not count', () => {
    const rounds = [
      round(100, [['mcp-tools', 330]]),
      round(100, [['mcp-tools', 320]]),
      round(100, [['mcp-tools', 1_030]]), // a burst in one round's load window
      round(100, [['mcp-tools', 310]]),
      round(100, [['mcp-tools', 340]]),
    ];
    expect(groupPerTask(rounds, 'mcp-tools')).toBe(3.3);
  });

  it('totals the groups’ medians, leaving out shared groups and rounds without tasks', () => {
    const rounds = [
      round(10, [
        ['audit', 60],
        ['gateway', 40],
        ['PostgreSQL server processes (shared)', 500],
      ]),
      round(10, [
        ['audit', 80],
        ['gateway', 20],
      ]),
      round(0, [['audit', 9_000]]),
    ];
    // audit: median of 6 and 8 = 7; gateway: median of 4 and 2 = 3
    expect(cpuPerTask(rounds)).toBe(10);
  });

  it('has a median of the middle value, or of the two middle ones', () => {
    expect(middle([3, 1, 2])).toBe(2);
    expect(middle([4, 1, 3, 2])).toBe(2.5);
    expect(middle([])).toBeNaN();
  });
});
