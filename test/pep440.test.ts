/** PEP 440 and npm range evaluation against the edge cases the dependency rules depend on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import semver from 'semver';
import { advisoriesFor, firstSafeVersion, npmRange, pythonRange, type ResolvedDependency } from '../src/engine/advisories.js';
import { compareVersions, hasUpperBound, lowerBound, parseSpecifiers, parseVersion, pinnedVersion, poetryToPep440, satisfies, satisfiesAny } from '../src/engine/pep440.js';
import { parseRequirements } from '../src/parsers/requirements.js';

const v = (s: string) => parseVersion(s)!;
const ok = (version: string, spec: string) => assert.equal(satisfies(version, spec), true, `${version} should satisfy ${spec}`);
const no = (version: string, spec: string) => assert.equal(satisfies(version, spec), false, `${version} should not satisfy ${spec}`);

describe('PEP 440 versions', () => {
  it('orders dev < pre < final < post, with epochs and local labels', () => {
    const order = ['1.0.dev1', '1.0a1.dev1', '1.0a1', '1.0b2', '1.0rc1', '1.0', '1.0+local.1', '1.0.post1.dev1', '1.0.post1', '1.1', '1!0.1'];
    for (let i = 0; i + 1 < order.length; i++) assert.equal(compareVersions(v(order[i]!), v(order[i + 1]!)), -1, `${order[i]} < ${order[i + 1]}`);
  });
  it('normalises spellings', () => {
    assert.equal(compareVersions(v('1.0-alpha-1'), v('1.0a1')), 0);
    assert.equal(compareVersions(v('1.0.0'), v('1.0')), 0);
    assert.equal(compareVersions(v('v2.1-1'), v('2.1.post1')), 0);
    assert.equal(compareVersions(v('1.0c1'), v('1.0rc1')), 0);
    assert.equal(parseVersion('not-a-version'), undefined);
  });
});

describe('PEP 440 specifiers', () => {
  it('== and != with wildcards', () => {
    ok('1.2.3', '==1.2.3');
    ok('1.2.0', '==1.2');
    ok('1.2.9', '==1.2.*');
    no('1.3.0', '==1.2.*');
    ok('1.3.0', '!=1.2.*');
    no('1.2.5', '!=1.2.*');
    ok('2.0.1', '>=2,!=2.0.0');
    no('2.0.0', '>=2,!=2.0.0');
  });
  it('~= is compatible release', () => {
    ok('2.2.9', '~=2.2.0');
    no('2.3.0', '~=2.2.0');
    ok('2.9', '~=2.2');
    no('3.0', '~=2.2');
    no('2.1.9', '~=2.2');
    assert.equal(parseSpecifiers('~=2'), undefined, '~= needs two release segments');
  });
  it('exclusive bounds handle pre- and post-releases', () => {
    no('3.0.0rc1', '<3.0');
    ok('3.0.0rc1', '<3.0rc2');
    no('1.7.post1', '>1.7');
    ok('1.7.1', '>1.7');
    ok('1.7.post2', '>1.7.post1');
  });
  it('pre-releases match only when named or asked for', () => {
    no('2.0.0b1', '>=1.0');
    ok('2.0.0b1', '>=2.0.0b1');
    assert.equal(satisfies('2.0.0b1', '>=1.0', { prereleases: true }), true);
    ok('2.3.2rc1', '>=2.3.2rc1,<2.4');
  });
  it('local versions are ignored except by == with a local label and ===', () => {
    ok('1.0+ubuntu1', '==1.0');
    ok('1.0+ubuntu1', '>=1.0');
    ok('1.0+ubuntu1', '<=1.0');
    no('1.0+ubuntu1', '==1.0+ubuntu2');
    ok('1.0+ubuntu1', '==1.0+ubuntu1');
    ok('1.0+local', '===1.0+local');
    no('1.0', '===1.0+local');
    no('1.0.0', '===1.0');
  });
  it('markers and extras do not change the versions a requirement admits', () => {
    assert.deepEqual(parseSpecifiers('>=2.0,<3 ; python_version < "3.8"'), [
      { op: '>=', version: '2.0' },
      { op: '<', version: '3' },
    ]);
    const [r] = parseRequirements('flask[async, dotenv] ~= 2.2.0 ; sys_platform != "win32"  # web\n').requirements;
    assert.equal(r!.name, 'flask');
    assert.deepEqual(r!.extras, ['async', 'dotenv']);
    assert.equal(r!.marker, 'sys_platform != "win32"');
    ok('2.2.3', r!.specifier);
    no('2.3.0', r!.specifier);
  });
  it('bounds and pins', () => {
    assert.equal(pinnedVersion(parseSpecifiers('==3.0.3')!), '3.0.3');
    assert.equal(pinnedVersion(parseSpecifiers('==3.0.*')!), undefined);
    assert.equal(lowerBound(parseSpecifiers('>=2.1,<3')!), '2.1');
    assert.equal(lowerBound(parseSpecifiers('~=1.4.2')!), '1.4.2');
    assert.equal(lowerBound(parseSpecifiers('<3')!), undefined);
    assert.equal(hasUpperBound(parseSpecifiers('>=2.0')!), false);
    assert.equal(hasUpperBound(parseSpecifiers('>=2.0,<3')!), true);
    assert.equal(hasUpperBound(parseSpecifiers('~=2.2')!), true);
  });
  it('advisory ranges joined with ||', () => {
    assert.equal(satisfiesAny('2.2.4', '<2.2.5 || >=2.3.0,<2.3.2'), true);
    assert.equal(satisfiesAny('2.2.5', '<2.2.5 || >=2.3.0,<2.3.2'), false);
    assert.equal(satisfiesAny('2.3.1', '<2.2.5 || >=2.3.0,<2.3.2'), true);
    assert.equal(satisfiesAny('2.3.2rc1', '<2.2.5 || >=2.3.0,<2.3.2'), true, 'pre-releases of an affected line are affected');
  });
  it('Poetry constraints convert to PEP 440', () => {
    assert.equal(poetryToPep440('^1.2.3'), '>=1.2.3,<2');
    assert.equal(poetryToPep440('^0.2.3'), '>=0.2.3,<0.3');
    assert.equal(poetryToPep440('^0.0.3'), '>=0.0.3,<0.0.4');
    assert.equal(poetryToPep440('~1.2.3'), '>=1.2.3,<1.3');
    assert.equal(poetryToPep440('2.2.0'), '==2.2.0');
    assert.equal(poetryToPep440('*'), '');
    assert.equal(pythonRange('>=2.0,<3'), '>=2.0,<3');
    assert.equal(pythonRange('~=2.2'), '~=2.2');
  });
});

describe('npm ranges (semver)', () => {
  it('^0.x pins the minor, ^0.0.x the patch', () => {
    assert.equal(semver.satisfies('0.2.9', npmRange('^0.2.3')!), true);
    assert.equal(semver.satisfies('0.3.0', npmRange('^0.2.3')!), false);
    assert.equal(semver.satisfies('0.0.4', npmRange('^0.0.3')!), false);
  });
  it('pre-releases only when the range names the same tuple', () => {
    assert.equal(semver.satisfies('2.0.0-beta.2', npmRange('^2.0.0-beta.1')!), true);
    assert.equal(semver.satisfies('2.1.0-beta.1', npmRange('^2.0.0-beta.1')!), false);
    assert.equal(semver.satisfies('15.0.0-canary.1', '>=15.0.0 <15.2.3', { includePrerelease: true }), false);
  });
  it('non-registry specs have no range', () => {
    for (const s of ['git+https://github.com/a/b.git', 'github:a/b', 'a/b#main', 'file:../x', 'workspace:*', 'npm:other@^1']) assert.equal(npmRange(s), undefined, s);
    assert.equal(npmRange('latest'), '*');
  });
});

describe('advisory matching', () => {
  const dep = (name: string, ecosystem: 'node' | 'python', resolved?: string, floor?: string): ResolvedDependency => ({
    dep: { name, ecosystem, spec: '', version: undefined, dev: false, file: 'x', line: 1 },
    key: name,
    range: undefined,
    resolved: resolved ? { version: resolved, from: 'pin' } : undefined,
    floor,
    unbounded: false,
  });
  it('matches resolved and floor versions', () => {
    assert.deepEqual(advisoriesFor(dep('flask', 'python', '2.2.2')).map((m) => m.advisory.id), ['GHSA-m2qf-hxjv-5gpq']);
    assert.deepEqual(advisoriesFor(dep('flask', 'python', '2.2.5')), []);
    assert.equal(advisoriesFor(dep('express', 'node', undefined, '4.16.0'))[0]?.mode, 'allowed');
  });
  it('first safe version skips fixed versions that another advisory still hits', () => {
    assert.equal(firstSafeVersion('npm', 'next', '15.1.0'), '15.2.6');
    assert.equal(firstSafeVersion('npm', 'next', '14.1.0'), '14.2.25');
    assert.equal(firstSafeVersion('pypi', 'flask', '2.3.0'), '2.3.2');
    assert.equal(firstSafeVersion('pypi', 'django', '4.0.1'), '4.2.28');
    assert.equal(firstSafeVersion('pypi', 'flask', '3.0.0'), undefined);
  });
});
