// The project chooser's requests and answers (webview-ui/src/setup/projectSearch.ts): searches run beside the
// setup steps, so an older search's answer may arrive after a newer one's; only the newest is shown.
import * as assert from 'node:assert/strict';
import type { SetupMessage, SetupRequest } from '../../src/webview/setupProtocol';
import { ProjectSearch } from '../../webview-ui/src/setup/projectSearch';

type Search = Extract<SetupRequest, { type: 'searchProjects' }>;

/** What the host answers to `request`: one row named after the query, and a next page when asked to. */
function answer(request: SetupRequest | undefined, nextPageToken?: string): Extract<SetupMessage, { type: 'projects' }> {
  const r = request as Search;
  assert.equal(r?.type, 'searchProjects');
  return { type: 'projects', requestId: r.requestId, query: r.query, append: Boolean(r.pageToken), nextPageToken,
    projects: [{ projectId: `${r.query || 'all'}-${r.pageToken ?? 'p1'}`, displayName: '' }] };
}

describe('project chooser: search as you type', () => {
  it('shows the answer to the newest search and drops one that arrives late', () => {
    const search = new ProjectSearch();
    const older = search.search('scale');
    const newer = search.search('scale-project-02874');
    assert.deepEqual(search.accept(answer(newer))?.projects.map((p) => p.projectId), ['scale-project-02874-p1']);
    assert.equal(search.accept(answer(older, 'page-2')), undefined, 'the late answer to "scale" replaced the newer rows');
  });

  it('More… asks for the next page of the query on screen, once per page', () => {
    const search = new ProjectSearch();
    assert.equal(search.more(), undefined, 'nothing on screen yet');
    search.accept(answer(search.search(''), 'page-2'));
    const more = search.more() as Search;
    assert.deepEqual({ query: more.query, pageToken: more.pageToken }, { query: '', pageToken: 'page-2' });
    assert.equal(search.more(), undefined, 'a second click before the page arrived asks again');
    assert.equal(search.accept(answer(more))?.append, true);
    assert.equal(search.more(), undefined, 'the last page has no next one');
  });

  it('a page of an older query never lands under the rows of a newer one', () => {
    const search = new ProjectSearch();
    search.accept(answer(search.search(''), 'page-2'));
    const more = search.more();
    const typed = search.search('mentor');
    assert.equal(search.accept(answer(more)), undefined);
    assert.equal(search.more(), undefined, 'the next page of the old query is gone once a new search is typed');
    const shown = search.accept(answer(typed));
    assert.deepEqual([shown?.query, shown?.append], ['mentor', false]);
  });
});
