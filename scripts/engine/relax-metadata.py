# Runs with the image's own python3 inside the rootfs (engine-up.sh pipes it into `chroot ROOTFS python3 -`).
#
# pip re-checks the metadata of installed distributions whenever a requirement names them, so with
# PIP_NO_INDEX=1 `pip install -r requirements.txt` is only a no-op if every installed distribution's
# declared requirements are satisfiable by what is installed. Debian's metadata is upstream's, which
# breaks that in two ways; for every installed distribution this script rewrites its METADATA / PKG-INFO
# (and an egg-info's requires.txt):
#   - relax: a requirement on an installed distribution whose installed version the specifier rejects
#     (Debian ships newer, or sometimes older, versions than upstream pins allow) loses its specifier;
#     so does one naming a URL (Debian's poetry-plugin-export: `poetry-core @ git+https://...`), which
#     pip would otherwise clone although poetry-core is installed;
#   - drop:  a requirement that only an extra needs (e.g. fastapi[standard] -> fastapi-cli[standard])
#     on a distribution that is not installed at all (Debian does not package it) is removed, so
#     `pip install "fastapi[all]"` resolves to what is installed instead of failing. Only for extras
#     that are partly installed (fastapi[standard]: jinja2, httpx, ... are there) or that an installed
#     distribution asks for (poetry -> pbs-installer[install], whose zstandard Debian leaves out): an
#     extra none of whose requirements is installed and that nothing asks for (httpx[http2]) is left
#     alone, so asking for it still fails at build time instead of at the app's first import.
# Requirements outside any extra that nothing satisfies are reported and kept: dropping those would
# hide a broken image. Everything changed is printed, one line per distribution.
import importlib.metadata as md
import sys

from pip._vendor.packaging.markers import Marker
from pip._vendor.packaging.requirements import InvalidRequirement, Requirement
from pip._vendor.packaging.utils import canonicalize_name
from pip._vendor.packaging.version import InvalidVersion, Version

dists = [d for d in md.distributions() if d.metadata['Name']]
installed = {}
for d in dists:  # the first on sys.path wins, as for pip
    installed.setdefault(canonicalize_name(d.metadata['Name']), d.version)


def applies(marker, extra):
    # packaging's evaluate() needs the 'extra' key even for markers that do not mention it
    return marker is None or marker.evaluate({'extra': extra})


def requested_extras():
    """name -> the extras of it that another installed distribution requires outright (poetry requires
    pbs-installer[download,install]); a distribution's own test extra asking for its other extras
    (anyio[test] -> anyio[trio]) does not count."""
    asked = {}
    for d in dists:
        for line in d.requires or []:
            req = Requirement(line)
            name = canonicalize_name(req.name)
            if req.extras and applies(req.marker, '') and name != canonicalize_name(d.metadata['Name']):
                asked.setdefault(name, set()).update(req.extras)
    return asked


def served_extras(dist, extras):
    """The extras of `dist` that an installed distribution asks for, or one of whose own requirements
    (on this platform) is installed."""
    served = set(REQUESTED.get(canonicalize_name(dist.metadata['Name']), ()))
    for line in dist.requires or []:
        req = Requirement(line)
        if applies(req.marker, '') or canonicalize_name(req.name) not in installed:
            continue
        served.update(e for e in extras if applies(req.marker, e))
    return served


def decide(req, extras, served):
    """'keep', 'relax' or 'drop' for one requirement of a distribution that provides `extras`."""
    if not any(applies(req.marker, e) for e in [''] + extras):
        return 'keep'  # not for this platform / Python: pip ignores it
    have = installed.get(canonicalize_name(req.name))
    if have is None:
        if applies(req.marker, ''):
            return 'keep'
        return 'drop' if any(applies(req.marker, e) for e in served) else 'keep'
    if req.url:
        return 'relax'
    if not req.specifier:
        return 'keep'
    try:
        ok = req.specifier.contains(Version(have), prereleases=True)
    except InvalidVersion:
        ok = False
    return 'keep' if ok else 'relax'


def describe(req, extras):
    # "fastapi-cli[standard]>=0.0.5 (all, standard)": the requirement and the extras that ask for it
    which = [e for e in extras if applies(req.marker, e)] if not applies(req.marker, '') else []
    text = req.name + ('[' + ','.join(sorted(req.extras)) + ']' if req.extras else '') + str(req.specifier)
    text += ' @ ' + req.url if req.url else ''
    return text + (' (' + ', '.join(which) + ')' if which else '')


def relaxed_text(req, with_marker):
    text = req.name + ('[' + ','.join(sorted(req.extras)) + ']' if req.extras else '')
    return text + ('; ' + str(req.marker) if with_marker and req.marker else '')


def section_marker(header):
    # requires.txt sections are "[extra]", "[:marker]" or "[extra:marker]"; importlib.metadata turns
    # them into the same markers as METADATA, so a line is judged exactly as pip would see it
    extra, _, cond = header.partition(':')
    parts = []
    if extra:
        parts.append('extra == "%s"' % extra)
    if cond:
        parts.append('(%s)' % cond if extra else cond)
    return Marker(' and '.join(parts)) if parts else None


def rewrite_metadata(path, extras, served, changes):
    out = []
    for line in path.read_text(encoding='utf-8').splitlines(keepends=True):
        if line.startswith('Requires-Dist: '):
            try:
                req = Requirement(line[len('Requires-Dist: '):].strip())
            except InvalidRequirement:
                req = None
            verdict = decide(req, extras, served) if req else 'keep'
            if verdict != 'keep':
                changes.setdefault(verdict, set()).add(describe(req, extras))
            if verdict == 'drop':
                continue
            if verdict == 'relax':
                line = 'Requires-Dist: ' + relaxed_text(req, True) + '\n'
        out.append(line)
    path.write_text(''.join(out), encoding='utf-8')


def rewrite_requires_txt(path, extras, served, changes):
    out, marker = [], None
    for line in path.read_text(encoding='utf-8').splitlines(keepends=True):
        text = line.strip()
        if text.startswith('[') and text.endswith(']'):
            marker = section_marker(text[1:-1])
        elif text:
            try:
                req = Requirement(text)
            except InvalidRequirement:
                req = None
            if req is not None:
                req.marker = marker
                verdict = decide(req, extras, served)
                if verdict != 'keep':
                    changes.setdefault(verdict, set()).add(describe(req, extras))
                if verdict == 'drop':
                    continue
                if verdict == 'relax':
                    line = relaxed_text(req, False) + '\n'
        out.append(line)
    path.write_text(''.join(out), encoding='utf-8')


REQUESTED = requested_extras()
missing = []
for d in dists:
    extras = d.metadata.get_all('Provides-Extra') or []
    base = d._path  # the .dist-info / .egg-info directory, or a one-file .egg-info
    served = served_extras(d, extras)
    changes = {}
    if base.is_file():
        rewrite_metadata(base, extras, served, changes)
    else:
        meta = base / ('METADATA' if base.name.endswith('.dist-info') else 'PKG-INFO')
        if meta.exists():
            rewrite_metadata(meta, extras, served, changes)
        if (base / 'requires.txt').exists():
            rewrite_requires_txt(base / 'requires.txt', extras, served, changes)
    name = d.metadata['Name'] + ' ' + d.version
    for verdict, label in (('relax', 'relaxed'), ('drop', 'dropped (not installed, only for an extra)')):
        if changes.get(verdict):
            print(label, name + ':', ', '.join(sorted(changes[verdict])))
    for line in d.requires or []:
        req = Requirement(line)
        if applies(req.marker, '') and canonicalize_name(req.name) not in installed:
            missing.append(name + ' needs ' + str(req))

for m in missing:
    print('UNSATISFIED (kept):', m, file=sys.stderr)
