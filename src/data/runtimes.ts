/**
 * Release and end-of-life dates of Node.js and CPython release lines, shipped with the tool
 * (no network at audit time). Sources: the Node.js Release working group's schedule
 * (github.com/nodejs/Release, schedule.json) and the Python devguide's release-cycle table
 * (devguide.python.org/versions, as mirrored by endoflife.date). Refresh with every release;
 * test/data.test.ts fails when `asOf` is more than 180 days older than RELEASE_DATE.
 */
import type { RuntimeTable } from './schema.js';

export const NODE_RUNTIMES: RuntimeTable = {
  runtime: 'node',
  asOf: '2026-11-22',
  source: 'Node.js Release working group schedule (nodejs/Release schedule.json)',
  sourceUrl: 'https://github.com/nodejs/Release/blob/main/schedule.json',
  cycles: [
    { cycle: '8', released: '2017-05-30', eol: '2019-12-31', codename: 'carbon' },
    { cycle: '10', released: '2018-04-24', eol: '2021-04-30', codename: 'dubnium' },
    { cycle: '11', released: '2018-10-23', eol: '2019-06-01' },
    { cycle: '12', released: '2019-04-23', eol: '2022-04-30', codename: 'erbium' },
    { cycle: '13', released: '2019-10-22', eol: '2020-06-01' },
    { cycle: '14', released: '2020-04-21', eol: '2023-04-30', codename: 'fermium' },
    { cycle: '15', released: '2020-10-20', eol: '2021-06-01' },
    { cycle: '16', released: '2021-04-20', eol: '2023-09-11', codename: 'gallium' },
    { cycle: '17', released: '2021-10-19', eol: '2022-06-01' },
    { cycle: '18', released: '2022-04-19', eol: '2025-04-30', codename: 'hydrogen' },
    { cycle: '19', released: '2022-10-18', eol: '2023-06-01' },
    { cycle: '20', released: '2023-04-18', eol: '2026-04-30', codename: 'iron' },
    { cycle: '21', released: '2023-10-17', eol: '2024-06-01' },
    { cycle: '22', released: '2024-04-24', eol: '2027-04-30', codename: 'jod' },
    { cycle: '23', released: '2024-10-16', eol: '2025-06-01' },
    { cycle: '24', released: '2025-05-06', eol: '2028-04-30', codename: 'krypton' },
    { cycle: '25', released: '2025-10-15', eol: '2026-06-01' },
    { cycle: '26', released: '2026-04-22', eol: '2029-04-30' },
  ],
};

export const PYTHON_RUNTIMES: RuntimeTable = {
  runtime: 'python',
  asOf: '2026-11-22',
  source: 'Python devguide release-cycle table (devguide.python.org/versions; endoflife.date/python)',
  sourceUrl: 'https://devguide.python.org/versions/',
  cycles: [
    { cycle: '2.7', released: '2010-07-03', eol: '2020-01-01' },
    { cycle: '3.5', released: '2015-09-13', eol: '2020-09-30' },
    { cycle: '3.6', released: '2016-12-23', eol: '2021-12-23' },
    { cycle: '3.7', released: '2018-06-27', eol: '2023-06-27' },
    { cycle: '3.8', released: '2019-10-14', eol: '2024-10-07' },
    { cycle: '3.9', released: '2020-10-05', eol: '2025-10-31' },
    { cycle: '3.10', released: '2021-10-04', eol: '2026-10-31' },
    { cycle: '3.11', released: '2022-10-24', eol: '2027-10-31' },
    { cycle: '3.12', released: '2023-10-02', eol: '2028-10-31' },
    { cycle: '3.13', released: '2024-10-07', eol: '2029-10-31' },
    { cycle: '3.14', released: '2025-10-07', eol: '2030-10-31' },
  ],
};
