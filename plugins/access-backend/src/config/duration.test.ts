import { parseDurationSeconds } from './duration';

describe('parseDurationSeconds', () => {
  it.each([
    ['30m', 1800],
    ['1h', 3600],
    ['7d', 604800],
    ['2w', 1209600],
    ['45s', 45],
    ['PT1H', 3600],
    ['P1DT2H', 93600],
    [{ hours: 1, minutes: 30 }, 5400],
    [{ days: 7 }, 604800],
    [900, 900],
  ])('reads %j as %i seconds', (input, seconds) => {
    expect(parseDurationSeconds(input)).toBe(seconds);
  });

  it.each([
    ['soon'],
    ['1 fortnight'],
    [''],
    [{ hourz: 1 }],
    [{}],
    [-5],
    ['PT0S'],
    [null],
    [[1]],
  ])('refuses %j', input => {
    expect(() => parseDurationSeconds(input)).toThrow();
  });
});
