//! `Create`: who may start a record, which fields the creator may give, then the initial
//! status.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::events::Event;
use super::super::record;
use super::super::rights::Via;
use super::super::step::Step;
use super::super::EngineError;
use crate::bundle::Field;

impl Step<'_, '_> {
    pub fn create(
        &mut self,
        process: &str,
        fields: BTreeMap<String, Value>,
    ) -> Result<(), EngineError> {
        let e = self.e;
        let (_, p) = e.index(process)?;
        e.check_create(p, self.actor)?;
        let written = self.checked_writes(p, &fields, false, &fields, Via::Create)?;
        let mut values: BTreeMap<String, Value> = written
            .into_iter()
            .filter_map(|(k, v)| Some((k, v?)))
            .collect();
        for f in &p.fields {
            if let (false, Some(d)) = (values.contains_key(&f.id), &f.default) {
                values.insert(f.id.clone(), d.clone());
            }
        }
        let missing: Vec<&Field> = p
            .fields
            .iter()
            .filter(|f| f.required && !record::is_filled(values.get(&f.id)))
            .collect();
        if !missing.is_empty() {
            return Err(EngineError::missing(&missing));
        }
        let id = self.new_record(p, values, None);
        let initial = p
            .statuses
            .iter()
            .find(|s| s.initial)
            .expect("one initial status");
        self.check_requires(id, &initial.requires, &[])?;
        self.push(Event::Created {
            record: id,
            process: p.name.clone(),
        });
        self.enter(id, &initial.id)
    }
}
