"""The plugin manager: discovers plugins, checks them, collects what they register, and calls
filters and events for the plugins an institution has enabled.

Built-in features (lessons, core permissions) are registered through the very same hooks as
third-party plugins; see ``lms_core.builtin``.
"""

from __future__ import annotations

import asyncio
import importlib
import inspect
import logging
import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from types import ModuleType as PyModule
from typing import Any, Iterable

import pluggy
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.version import InvalidVersion, Version

from lms_core import PLUGIN_API_VERSION, hookspecs
from lms_core.plugin_api import (
    PROJECT_NAME,
    ActionRefused,
    JobSpec,
    MenuItem,
    ModelApp,
    ModuleType,
    PageScript,
    Permission,
    PluginInfo,
    SettingSpec,
    StaticDir,
)

log = logging.getLogger("lms.plugins")

ENTRY_POINT_GROUP = "lms.plugins"

#: Core modules registered as plugins; they cannot be disabled (pytest's "essential" plugins).
ESSENTIAL_MODULES = ("lms_core.builtin.core_permissions", "lms_core.builtin.lessons")

#: How long an institution's enabled-plugin set is trusted before it is read again. Other
#: workers see a change within this time; the worker that made it sees it at once.
STATE_TTL_SECONDS = 5.0


class PluginError(RuntimeError):
    """A plugin cannot be loaded; the message says which and why, for the operator."""


@dataclass
class LoadedPlugin:
    name: str
    info: PluginInfo
    module: PyModule
    source: str  # "builtin", "entry point <dist> <version>" or "registered"
    essential: bool = False


@dataclass
class Registry:
    """Everything plugins registered at start-up, collected once."""

    routes: list[Any] = field(default_factory=list)
    model_apps: list[ModelApp] = field(default_factory=list)
    template_dirs: list[Any] = field(default_factory=list)
    static_dirs: list[StaticDir] = field(default_factory=list)
    module_types: dict[str, ModuleType] = field(default_factory=dict)
    permissions: dict[str, Permission] = field(default_factory=dict)
    settings: dict[str, SettingSpec] = field(default_factory=dict)
    menu_items: list[MenuItem] = field(default_factory=list)
    route_owner: dict[int, str] = field(default_factory=dict)
    menu_owner: dict[str, str] = field(default_factory=dict)
    module_type_owner: dict[str, str] = field(default_factory=dict)
    page_scripts: list[tuple[str, PageScript]] = field(default_factory=list)
    jobs: dict[str, JobSpec] = field(default_factory=dict)
    job_owner: dict[str, str] = field(default_factory=dict)


def _check_api(info: PluginInfo) -> str | None:
    try:
        spec = SpecifierSet(info.api)
    except InvalidSpecifier:
        return f"plugin {info.name!r} declares an invalid API range {info.api!r}"
    if Version(PLUGIN_API_VERSION) not in spec:
        return (
            f"plugin {info.name!r} {info.version} supports plugin API {info.api}, "
            f"but this LMS provides {PLUGIN_API_VERSION}"
        )
    return None


def _hookspec_sources(module: PyModule) -> list[Any]:
    """A plugin module's optional ``HOOKSPECS``: a module (or class) of ``hookspec``-marked
    functions, or a list of them."""
    declared = getattr(module, "HOOKSPECS", None)
    if declared is None:
        return []
    return list(declared) if isinstance(declared, (list, tuple)) else [declared]


def _job_problem(job: Any) -> str | None:
    """Why a registered job cannot run, checked at start-up rather than at its first tick."""
    if not isinstance(job, JobSpec):
        return f"lms_register_jobs must return JobSpec entries, not {type(job).__name__}"
    if not inspect.iscoroutinefunction(job.function):
        return f"job {job.name!r}: its function must be async def"
    if isinstance(job.schedule, str):
        from lms_core.jobs.schedule import cron_problem

        problem = cron_problem(job.schedule)
        if problem:
            return f"job {job.name!r}: {problem}"
    return None


def _parse_requirement(req: str) -> tuple[str, SpecifierSet]:
    for i, ch in enumerate(req):
        if ch in "<>=!~":
            return req[:i].strip(), SpecifierSet(req[i:].strip())
    return req.strip(), SpecifierSet("")


class PluginManager:
    """Wraps pluggy's manager with LMS rules: version checks, dependency checks, per-institution
    enabling, async filters and events that never break the caller."""

    def __init__(self, disabled: Iterable[str] = ()) -> None:
        self.pm = pluggy.PluginManager(PROJECT_NAME)
        self.pm.add_hookspecs(hookspecs)
        self.disabled_globally = set(disabled)
        self.plugins: dict[str, LoadedPlugin] = {}
        self.registry = Registry()
        self._state_cache: dict[int, tuple[float, frozenset[str]]] = {}
        #: One lookup in flight per institution: when the cache expires under load, thousands
        #: of requests would otherwise each send the same query (measured: 11 % of a busy
        #: worker's CPU went to that herd).
        self._state_loading: dict[int, asyncio.Future[frozenset[str]]] = {}
        self._state_generation = 0
        #: The app's Runtime, passed to filters and events as ``runtime`` (set by create_app).
        self.runtime: Any = None

    # --- loading -----------------------------------------------------------------------------

    def load(self, extra_modules: Iterable[PyModule | str] = ()) -> "PluginManager":
        """Register essential modules, entry-point plugins and ``extra_modules`` (tests), after
        checking every declared API range and requirement. All problems are reported at once."""
        candidates: list[tuple[PyModule, str, bool]] = []
        for name in ESSENTIAL_MODULES:
            candidates.append((importlib.import_module(name), "builtin", True))
        problems: list[str] = []
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.name in self.disabled_globally:
                log.info("plugin %s is disabled by LMS_DISABLED_PLUGINS", ep.name)
                continue
            try:
                module = ep.load()
            except Exception as exc:  # an import error must name the plugin
                problems.append(f"plugin {ep.name!r} failed to import: {exc!r}")
                continue
            dist = f"{ep.dist.name} {ep.dist.version}" if ep.dist else "unknown distribution"
            candidates.append((module, f"entry point ({dist})", False))
        for extra in extra_modules:
            module = importlib.import_module(extra) if isinstance(extra, str) else extra
            candidates.append((module, "registered", False))

        infos: dict[str, tuple[PluginInfo, PyModule, str, bool]] = {}
        for module, source, essential in candidates:
            info = getattr(module, "PLUGIN_INFO", None)
            if not isinstance(info, PluginInfo):
                problems.append(f"{module.__name__} has no PLUGIN_INFO = PluginInfo(...)")
                continue
            if info.name in infos:
                continue  # the same plugin found twice (entry point and explicit registration)
            error = _check_api(info)
            if error:
                problems.append(error)
                continue
            infos[info.name] = (info, module, source, essential)
        for name, (info, _module, _source, _essential) in infos.items():
            for req in info.requires:
                try:
                    req_name, spec = _parse_requirement(req)
                except InvalidSpecifier:
                    problems.append(f"plugin {name!r} has an invalid requirement {req!r}")
                    continue
                dep = infos.get(req_name)
                if dep is None:
                    problems.append(f"plugin {name!r} requires plugin {req_name!r}, not installed")
                    continue
                try:
                    ok = Version(dep[0].version) in spec
                except InvalidVersion:
                    ok = False
                if not ok:
                    problems.append(
                        f"plugin {name!r} requires {req}, installed is {dep[0].version}"
                    )
        if problems:
            raise PluginError("cannot start, plugin problems:\n  - " + "\n  - ".join(problems))
        for name, (info, module, _source, _essential) in infos.items():
            # A plugin may declare hooks of its own for other plugins to implement (the live
            # sessions' quick quiz asks the quizzes plugin for a question): added before any
            # plugin is registered, so implementations are checked against them like core hooks.
            for spec in _hookspec_sources(module):
                self.pm.add_hookspecs(spec)
        for name, (info, module, source, essential) in infos.items():
            self.pm.register(module, name=name)
            self.plugins[name] = LoadedPlugin(name, info, module, source, essential)
        self.pm.check_pending()
        self._collect()
        return self

    def _results_by_plugin(self, hook_name: str) -> list[tuple[str, Any]]:
        caller = getattr(self.pm.hook, hook_name)
        out: list[tuple[str, Any]] = []
        for impl in reversed(caller.get_hookimpls()):  # registration order
            result = impl.function(**{a: self._hook_args.get(a) for a in impl.argnames})
            if result:
                out.append((impl.plugin_name, result))
        return out

    def _collect(self, settings: Any = None) -> None:
        self._hook_args = {"settings": settings}
        reg = Registry()
        for plugin, routes in self._results_by_plugin("lms_register_routes"):
            for route in routes:
                reg.routes.append(route)
                reg.route_owner[id(route)] = plugin
        for _p, apps in self._results_by_plugin("lms_register_models"):
            reg.model_apps.extend(apps)
        for _p, dirs in self._results_by_plugin("lms_register_templates"):
            reg.template_dirs.extend(dirs)
        for _p, dirs in self._results_by_plugin("lms_register_static"):
            reg.static_dirs.extend(dirs)
        for plugin, types in self._results_by_plugin("lms_register_module_types"):
            for mt in types:
                if mt.key in reg.module_types:
                    raise PluginError(f"plugin {plugin!r} redefines module type {mt.key!r}")
                reg.module_types[mt.key] = mt
                reg.module_type_owner[mt.key] = plugin
        for plugin, perms in self._results_by_plugin("lms_register_permissions"):
            for perm in perms:
                if perm.name in reg.permissions:
                    raise PluginError(f"plugin {plugin!r} redefines permission {perm.name!r}")
                reg.permissions[perm.name] = perm
        for _p, specs in self._results_by_plugin("lms_register_settings"):
            for spec in specs:
                reg.settings[spec.key] = spec
        for plugin, items in self._results_by_plugin("lms_register_menu_items"):
            reg.menu_items.extend(items)
            reg.menu_owner.update({item.key: plugin for item in items})
        reg.menu_items.sort(key=lambda m: (m.order, m.key))
        for plugin, scripts in self._results_by_plugin("lms_register_page_scripts"):
            reg.page_scripts.extend((plugin, script) for script in scripts)
        for plugin, jobs in self._results_by_plugin("lms_register_jobs"):
            for job in jobs:
                problem = _job_problem(job)
                if problem:
                    raise PluginError(f"plugin {plugin!r}: {problem}")
                if job.name in reg.jobs:
                    raise PluginError(f"plugin {plugin!r} redefines job {job.name!r}")
                reg.jobs[job.name] = job
                reg.job_owner[job.name] = plugin
        self.registry = reg

    def collect_routes(self, settings: Any) -> None:
        """Routes may depend on settings, so they are collected again once settings are known."""
        self._collect(settings)

    # --- per-institution state ---------------------------------------------------------------

    async def enabled_for(self, institution_id: int | None) -> frozenset[str]:
        """Plugins an institution uses (default: all loaded). Cached for STATE_TTL_SECONDS."""
        if institution_id is None:
            return frozenset(self.plugins)
        hit = self._state_cache.get(institution_id)
        if hit and hit[0] > time.monotonic():
            return hit[1]
        loop = asyncio.get_running_loop()
        loading = self._state_loading.get(institution_id)
        if loading is not None and loading.get_loop() is loop:
            return await asyncio.shield(loading)
        loading = self._state_loading[institution_id] = loop.create_future()
        generation = self._state_generation
        try:
            enabled = await self._load_enabled(institution_id)
        except BaseException as exc:
            if not loading.done():
                loading.set_exception(exc)
                loading.exception()  # retrieved: the waiters re-raise it, nobody else needs to
            raise
        finally:
            if self._state_loading.get(institution_id) is loading:
                del self._state_loading[institution_id]
        if generation == self._state_generation:  # not changed while we were reading
            self._state_cache[institution_id] = (time.monotonic() + STATE_TTL_SECONDS, enabled)
        loading.set_result(enabled)
        return enabled

    async def _load_enabled(self, institution_id: int) -> frozenset[str]:
        from lms_core.models import InstitutionPlugin

        rows = await InstitutionPlugin.filter(
            institution_id=institution_id, enabled=False
        ).values_list("plugin", flat=True)
        off = set(rows)
        return frozenset(n for n, p in self.plugins.items() if p.essential or n not in off)

    def forget_state(self, institution_id: int) -> None:
        self._state_cache.pop(institution_id, None)
        self._state_loading.pop(institution_id, None)  # a read in flight may predate the change
        self._state_generation += 1

    async def set_enabled(self, institution_id: int, plugin: str, enabled: bool) -> None:
        from lms_core.models import InstitutionPlugin

        loaded = self.plugins.get(plugin)
        if loaded is None:
            raise KeyError(plugin)
        if loaded.essential and not enabled:
            raise ActionRefused(
                f"Không thể tắt thành phần lõi {plugin}.", f"{plugin} is essential."
            )
        await InstitutionPlugin.update_or_create(
            defaults={"enabled": enabled}, institution_id=institution_id, plugin=plugin
        )
        self.forget_state(institution_id)

    # --- filters and events ------------------------------------------------------------------

    def _impls(self, hook_name: str, enabled: frozenset[str]) -> list[Any]:
        caller = getattr(self.pm.hook, hook_name)
        return [i for i in reversed(caller.get_hookimpls()) if i.plugin_name in enabled]

    async def run_filters(self, hook_name: str, institution_id: int | None, **kwargs: Any) -> None:
        """Ask every enabled plugin; the first refusal raises ``ActionRefused``."""
        kwargs.setdefault("runtime", self.runtime)
        for impl in self._impls(hook_name, await self.enabled_for(institution_id)):
            try:
                result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
                if inspect.isawaitable(result):
                    result = await result
            except ActionRefused:
                raise
            if isinstance(result, ActionRefused):
                raise result
            if result:
                raise ActionRefused(str(result))

    async def collect(self, hook_name: str, enabled_in: int | None,
                      **kwargs: Any) -> list[Any]:
        """Ask every enabled plugin and return the items of every list they answer (awaited
        when async); an exception propagates, so the caller's transaction rolls back."""
        kwargs.setdefault("runtime", self.runtime)
        out: list[Any] = []
        for impl in self._impls(hook_name, await self.enabled_for(enabled_in)):
            result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
            if inspect.isawaitable(result):
                result = await result
            if result:
                out.extend(result)
        return out

    async def collect_each(self, hook_name: str, enabled_in: int | None,
                           **kwargs: Any) -> list[Any]:
        """As ``collect``, but a plugin that fails is logged by name and skipped: for what only
        decorates a page, where one plugin's bug must not take the page down."""
        kwargs.setdefault("runtime", self.runtime)
        out: list[Any] = []
        for impl in self._impls(hook_name, await self.enabled_for(enabled_in)):
            try:
                result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
                if inspect.isawaitable(result):
                    result = await result
            except Exception:
                log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)
                continue
            if result:
                out.extend(result)
        return out

    def implementers(self, hook_name: str, enabled: frozenset[str]) -> list[str]:
        """Names of the plugins in ``enabled`` that implement ``hook_name`` (none when no
        plugin declared the hook): lets a caller tell "nobody offers this" from "no answer"."""
        if getattr(self.pm.hook, hook_name, None) is None:
            return []
        return [impl.plugin_name for impl in self._impls(hook_name, enabled)]

    async def first_result(self, hook_name: str, enabled_in: int | None,
                           **kwargs: Any) -> Any:
        """The first non-None answer of the enabled implementations, in registration order,
        each awaited when async (pluggy's ``firstresult`` would take an un-awaited coroutine
        for an answer). None when nobody answers or nobody implements the hook."""
        if getattr(self.pm.hook, hook_name, None) is None:
            return None
        kwargs.setdefault("runtime", self.runtime)
        for impl in self._impls(hook_name, await self.enabled_for(enabled_in)):
            result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
            if inspect.isawaitable(result):
                result = await result
            if result is not None:
                return result
        return None

    async def fire_event(self, hook_name: str, institution_id: int | None, **kwargs: Any) -> None:
        """Tell every enabled plugin; a failing plugin is logged by name and skipped."""
        kwargs.setdefault("runtime", self.runtime)
        for impl in self._impls(hook_name, await self.enabled_for(institution_id)):
            try:
                result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
                if inspect.isawaitable(result):
                    await result
            except Exception:
                log.exception("plugin %s failed in %s", impl.plugin_name, hook_name)

    async def call_lifecycle(self, hook_name: str, **kwargs: Any) -> None:
        for impl in self._impls(hook_name, frozenset(self.plugins)):
            result = impl.function(**{a: kwargs.get(a) for a in impl.argnames})
            if inspect.isawaitable(result):
                await result

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        callers = self.pm.get_hookcallers(plugin) or []
        return sorted(c.name for c in callers)
