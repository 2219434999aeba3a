import { describe, expect, it } from '@jest/globals';
import { ConfigError, loadConfig } from '@switchboard/config';
import { cgroupCpuLimit, resolveCellCount } from './cell-count.js';
import { CellEnv } from './config/cell.env.js';

const cells = (value: string | undefined) =>
  loadConfig('cell', CellEnv, { SB_CELLS: value }).SB_CELLS;

describe('SB_CELLS', () => {
  it('is auto unless set; a whole number from 1 to 64 is taken as it is', () => {
    expect(cells(undefined)).toBe('auto');
    expect(cells('')).toBe('auto');
    expect(cells(' AUTO ')).toBe('auto');
    expect(cells('1')).toBe('1');
    expect(cells('64')).toBe('64');
  });

  it.each(['0', '65', '-2', '1.5', '02', 'two', 'all', '4 cells'])(
    'refuses %j with one line naming the setting and what it takes',
    (value) => {
      expect(() => cells(value)).toThrow(ConfigError);
      expect(() => cells(value)).toThrow(
        `cell: invalid configuration (1 problem):\n  - SB_CELLS: auto, or a whole number from 1 to 64 (got ${JSON.stringify(value)})`,
      );
    },
  );
});

describe(resolveCellCount.name, () => {
  it('auto: one cell per core the process may use but one, left to the databases and NATS beside it', () => {
    expect(resolveCellCount('auto', { cores: 1 })).toBe(1);
    expect(resolveCellCount('auto', { cores: 2 })).toBe(1);
    expect(resolveCellCount('auto', { cores: 16 })).toBe(15);
  });

  it("auto: no more than the cgroup's CPU limit allows (a container's --cpus), and at least one", () => {
    expect(resolveCellCount('auto', { cores: 32, cpuLimit: 2 })).toBe(2);
    expect(resolveCellCount('auto', { cores: 32, cpuLimit: 2.5 })).toBe(2);
    expect(resolveCellCount('auto', { cores: 32, cpuLimit: 0.5 })).toBe(1);
    expect(resolveCellCount('auto', { cores: 4, cpuLimit: 8 })).toBe(4);
  });

  it('a number: that many, whatever the machine', () => {
    expect(resolveCellCount('1', { cores: 8 })).toBe(1);
    expect(resolveCellCount('3', { cores: 2, cpuLimit: 1 })).toBe(3);
  });
});

describe(cgroupCpuLimit.name, () => {
  const files =
    (entries: Record<string, string>) =>
    (path: string): string => {
      const text = entries[path];
      if (text === undefined) throw new Error(`ENOENT: ${path}`);
      return text;
    };

  it("reads cgroup v2's cpu.max: a quota over its period, none for max", () => {
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': '150000 100000\n' }))).toBe(1.5);
    expect(cgroupCpuLimit(files({ '/sys/fs/cgroup/cpu.max': 'max 100000\n' }))).toBeUndefined();
  });

  it("falls back to cgroup v1's CFS quota (-1: none)", () => {
    const v1 = (quota: string) =>
      files({
        '/sys/fs/cgroup/cpu/cpu.cfs_quota_us': `${quota}\n`,
        '/sys/fs/cgroup/cpu/cpu.cfs_period_us': '100000\n',
      });
    expect(cgroupCpuLimit(v1('200000'))).toBe(2);
    expect(cgroupCpuLimit(v1('-1'))).toBeUndefined();
  });

  it('is undefined where neither can be read', () => {
    expect(cgroupCpuLimit(files({}))).toBeUndefined();
  });
});
