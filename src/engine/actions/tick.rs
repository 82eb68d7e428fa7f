//! `Tick`: time passed. Every record's task and approval timers, then (in `run`) every
//! record's automatic transitions.

use super::super::events::RecordId;
use super::super::step::Step;

impl Step<'_, '_> {
    pub fn tick(&mut self) {
        let ids: Vec<RecordId> = self.w.records.keys().copied().collect();
        for &id in &ids {
            self.task_timers(id);
            self.approval_timers(id);
        }
        self.tx.touched.extend(ids);
    }
}
