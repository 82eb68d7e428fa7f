//! `Set`: fields edited by hand, which only a field's `edit` allows, while the record is not
//! terminal.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::events::RecordId;
use super::super::rights::Via;
use super::super::step::Step;
use super::super::EngineError;

impl Step<'_, '_> {
    pub fn set(
        &mut self,
        record: RecordId,
        fields: BTreeMap<String, Value>,
    ) -> Result<(), EngineError> {
        let (_, p) = self.record_process(record)?;
        let r = self.rec(record);
        let terminal = self.e.status(&p.name, &r.status).terminal;
        let values = self.checked_writes(p, &r.fields, terminal, &fields, Via::Edit)?;
        self.save(record);
        self.write(record, values);
        Ok(())
    }
}
