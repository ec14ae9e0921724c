//! Long tool calls as MCP tasks: the tasks extension (`io.modelcontextprotocol/tasks`,
//! SEP-2663) as rmcp serves it. A client that declares the extension gets a task for
//! `coroot_investigate` at once, instead of holding the request open for the ~30 Coroot
//! requests it makes: it polls `tasks/get` (status message from the investigation's progress,
//! then the same result a plain call gives), and `tasks/cancel` stops the work. Every other
//! tool, and every client without the extension, is answered as before.
//!
//! Tasks live in the process, shared by every session, so a caller may fetch a result from
//! another session of the same server, as after a reconnect (with `--stateless` the server
//! keeps none: see `CorootMcp::without_tasks`). Each task is owned by the caller that created
//! it ([`Caller::key`]): it runs as that caller, and anyone else asking for it is told there
//! is no such task, as if it did not exist.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use coroot_tools::context::ProgressFn;
use coroot_tools::tools::names::INVESTIGATE;
use rmcp::ErrorData;
use rmcp::model::{CallToolResult, GetTaskResult, Task};
use rmcp::task_manager::{TaskContext, TaskExit, TaskManager, TaskOptions};

use super::identity::Caller;

/// The tools that run as a task when the client can take one: those that take long enough
/// for a client to want to do something else meanwhile.
pub const AS_TASK: &[&str] = &[INVESTIGATE];

/// How long a task may run, and how long its result is kept once it has finished (rmcp keeps
/// a finished task for one more TTL). An investigation takes seconds to a few minutes, even
/// against a slow Coroot; one still running at the end is stopped and marked failed.
pub const TTL_MS: u64 = 15 * 60 * 1000;

/// How often a client should poll `tasks/get`.
pub const POLL_INTERVAL_MS: u64 = 1000;

/// Tasks one caller may have running at once: each is ~30 Coroot requests, and a client that
/// loops creating tasks should not take the server (or Coroot) down with it.
pub const MAX_RUNNING_PER_CALLER: usize = 8;

/// Tasks one caller may have kept, running or finished: past this a call is answered at once,
/// as for a client without tasks, so results nobody fetches cannot fill the memory (rmcp
/// drops a task only a TTL after it has finished).
pub const MAX_KEPT_PER_CALLER: usize = 32;

/// Whether a call becomes a task.
#[derive(Debug, PartialEq, Eq)]
pub enum Admission {
    /// It does.
    Task,
    /// It is answered at once: the caller has too many results kept.
    Plain,
    /// It is refused, for the reason given: the caller has too many tasks running.
    Refused(String),
}

/// The tasks of this process and who owns each.
#[derive(Clone, Default)]
pub struct Tasks {
    manager: TaskManager,
    /// Task id → the key of the caller that created it.
    owners: Arc<Mutex<HashMap<String, Arc<str>>>>,
}

impl Tasks {
    /// Whether `tool` runs as a task for a client that declared the extension.
    pub fn runs_as_task(tool: &str) -> bool {
        AS_TASK.contains(&tool)
    }

    /// Whether `caller`'s call of `tool` may become a task now.
    pub fn admit(&self, caller: &Caller, tool: &str) -> Admission {
        let (running, kept) = self.count(&caller.key);
        if running >= MAX_RUNNING_PER_CALLER {
            Admission::Refused(format!(
                "{tool} not started: {running} tasks of yours are running already (at most {MAX_RUNNING_PER_CALLER}); wait for one to finish (tasks/get) or cancel one (tasks/cancel), then call it again"
            ))
        } else if kept >= MAX_KEPT_PER_CALLER {
            Admission::Plain
        } else {
            Admission::Task
        }
    }

    /// Starts `work` (the tool call, given where its progress goes; `None`: the tool is
    /// unknown, which the caller checks first) as a task owned by `caller`, and returns the
    /// task's first state. [`Tasks::admit`] says whether to.
    ///
    /// The investigation's progress becomes the task's status message, and goes on to
    /// `progress` (MCP progress notifications) when the client asked for them. On
    /// `tasks/cancel` the work is dropped where it is, Coroot requests in flight included,
    /// and the task ends `cancelled`.
    pub fn start<W, F>(&self, caller: &Caller, tool: &str, progress: Option<ProgressFn>, work: W) -> Task
    where
        W: FnOnce(ProgressFn) -> F + Send + 'static,
        F: Future<Output = Option<CallToolResult>> + Send + 'static,
    {
        let options = TaskOptions::new()
            .with_ttl_ms(TTL_MS)
            .with_poll_interval_ms(POLL_INTERVAL_MS)
            .with_status_message(format!("{tool}: starting"));
        let name = caller.name.clone();
        let tool = tool.to_string();
        let task = self.manager.spawn(options, move |tctx| {
            Box::pin(async move {
                let run = work(status_progress(tctx.clone(), progress));
                tokio::select! {
                    // A cancel that races the last check wins: the client asked to stop.
                    biased;
                    () = tctx.cancelled() => {
                        tracing::info!(target: "calls", tool, identity = &*name, outcome = "cancelled", "tool call");
                        Err(TaskExit::Cancelled)
                    }
                    result = run => result.ok_or_else(|| {
                        TaskExit::Error(ErrorData::internal_error(format!("{tool} is not served any more; list the tools again"), None))
                    }),
                }
            })
        });
        self.lock().insert(task.task_id.clone(), caller.key.clone());
        task
    }

    /// `tasks/get`: the task's state, with the result once it has finished.
    pub fn get(&self, caller: &Caller, task_id: &str) -> Result<GetTaskResult, ErrorData> {
        self.check_owner(caller, task_id)?;
        let detailed = self.manager.get_task(task_id).map_err(|_| unknown(task_id))?;
        Ok(GetTaskResult::new(detailed))
    }

    /// `tasks/cancel`: asks the task to stop; it ends `cancelled` moments later unless it had
    /// already finished.
    pub fn cancel(&self, caller: &Caller, task_id: &str) -> Result<(), ErrorData> {
        self.check_owner(caller, task_id)?;
        self.manager.cancel_task(task_id).map_err(|_| unknown(task_id))
    }

    /// `tasks/update`: these tasks never ask the client for input, so there is nothing to
    /// deliver; the task must still be the caller's.
    pub fn update(&self, caller: &Caller, task_id: &str) -> Result<(), ErrorData> {
        self.check_owner(caller, task_id)?;
        self.manager.get_task(task_id).map(|_| ()).map_err(|_| unknown(task_id))
    }

    /// Refuses a task that is not the caller's exactly as one that does not exist, so task
    /// ids tell nothing about other people's work.
    fn check_owner(&self, caller: &Caller, task_id: &str) -> Result<(), ErrorData> {
        match self.lock().get(task_id) {
            Some(owner) if **owner == *caller.key => Ok(()),
            _ => Err(unknown(task_id)),
        }
    }

    /// How many of `key`'s tasks are running, and kept in all; forgets the owners of tasks
    /// rmcp has dropped.
    fn count(&self, key: &str) -> (usize, usize) {
        let mut owners = self.lock();
        owners.retain(|id, _| self.manager.get_task(id).is_ok());
        let mine: Vec<&String> = owners
            .iter()
            .filter(|(_, owner)| ***owner == *key)
            .map(|(id, _)| id)
            .collect();
        let running = mine
            .iter()
            .filter(|id| self.manager.get_task(id).is_ok_and(|t| !t.status().is_terminal()))
            .count();
        (running, mine.len())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<str>>> {
        self.owners.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// Progress that also sets the task's status message: what a client polling `tasks/get`
/// shows while the investigation runs.
fn status_progress(tctx: TaskContext, progress: Option<ProgressFn>) -> ProgressFn {
    Arc::new(move |done, total, message| {
        tctx.set_status_message(format!("{done} of {total} checks done; last: {message}"));
        if let Some(progress) = &progress {
            progress(done, total, message);
        }
    })
}

/// The answer for a task id that is not the caller's (or no longer kept).
fn unknown(task_id: &str) -> ErrorData {
    let shown: String = task_id.chars().take(100).collect();
    ErrorData::invalid_params(
        format!(
            "unknown task '{shown}': none of your tasks has this id (a finished task is kept for {} minutes); call the tool again to start a new one",
            TTL_MS / 60_000
        ),
        None,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn caller(ctx: &coroot_tools::ToolContext, key: &str) -> Caller {
        Caller {
            name: Arc::from(key),
            key: Arc::from(key),
            ctx: ctx.clone(),
        }
    }

    /// Work that never ends, as a slow investigation looks from outside.
    fn forever(_: ProgressFn) -> std::future::Pending<Option<CallToolResult>> {
        std::future::pending()
    }

    /// Work that is done at once.
    fn instant(_: ProgressFn) -> std::future::Ready<Option<CallToolResult>> {
        std::future::ready(Some(CallToolResult::success(Vec::new())))
    }

    /// Polls until the task has finished (a generous bound turns a hang into a failure).
    async fn settled(tasks: &Tasks, caller: &Caller, id: &str) {
        for _ in 0..500 {
            if tasks.get(caller, id).unwrap().task.status().is_terminal() {
                return;
            }
            tokio::time::sleep(std::time::Duration::from_millis(10)).await;
        }
        panic!("task {id} never finished");
    }

    #[tokio::test]
    async fn a_caller_may_run_a_bounded_number_of_tasks_and_see_only_their_own() {
        let kit = coroot_tools::testing::ecommerce().await;
        let (alice, bob) = (caller(&kit.ctx, "alice"), caller(&kit.ctx, "bob"));
        let tasks = Tasks::default();
        let mut ids = Vec::new();
        for _ in 0..MAX_RUNNING_PER_CALLER {
            assert_eq!(tasks.admit(&alice, INVESTIGATE), Admission::Task);
            ids.push(tasks.start(&alice, INVESTIGATE, None, forever).task_id);
        }
        let Admission::Refused(why) = tasks.admit(&alice, INVESTIGATE) else {
            panic!("a ninth running task is refused");
        };
        assert!(why.contains("wait for one to finish"), "{why}");
        assert_eq!(
            tasks.admit(&bob, INVESTIGATE),
            Admission::Task,
            "the bound is per caller"
        );

        let theirs = tasks.get(&bob, &ids[0]).unwrap_err();
        assert!(theirs.message.contains("unknown task"), "{}", theirs.message);
        assert_eq!(
            tasks.get(&bob, "no-such-task").unwrap_err().message,
            theirs.message.replace(&ids[0], "no-such-task"),
            "another's task reads exactly as one that does not exist"
        );
        assert!(tasks.cancel(&bob, &ids[0]).is_err());
        assert!(tasks.update(&bob, &ids[0]).is_err());

        // A cancelled task stops counting against the bound once it has stopped.
        tasks.cancel(&alice, &ids[0]).unwrap();
        settled(&tasks, &alice, &ids[0]).await;
        assert_eq!(tasks.admit(&alice, INVESTIGATE), Admission::Task);
    }

    #[tokio::test]
    async fn past_the_kept_results_bound_calls_are_answered_at_once() {
        let kit = coroot_tools::testing::ecommerce().await;
        let (alice, bob) = (caller(&kit.ctx, "alice"), caller(&kit.ctx, "bob"));
        let tasks = Tasks::default();
        for _ in 0..MAX_KEPT_PER_CALLER {
            assert_eq!(tasks.admit(&alice, INVESTIGATE), Admission::Task);
            let id = tasks.start(&alice, INVESTIGATE, None, instant).task_id;
            settled(&tasks, &alice, &id).await;
        }
        assert_eq!(tasks.admit(&alice, INVESTIGATE), Admission::Plain);
        assert_eq!(tasks.admit(&bob, INVESTIGATE), Admission::Task);
    }
}
