import { envInt } from './env-numbers.js';

describe('envInt', () => {
  it('reads a whole number within its bounds, the fallback when unset', () => {
    const sut = envInt(1, 10, 5);
    expect(sut.parse('7')).toBe(7);
    expect(sut.parse(undefined)).toBe(5);
  });

  it('refuses a number outside its bounds, or not whole', () => {
    const sut = envInt(1, 10, 5);
    expect(sut.safeParse('0').success).toBe(false);
    expect(sut.safeParse('11').success).toBe(false);
    expect(sut.safeParse('2.5').success).toBe(false);
    expect(sut.safeParse('many').success).toBe(false);
  });
});
