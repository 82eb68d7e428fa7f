//! Go to definition and find references, for every kind of id.

use lsp_types::{GotoDefinitionParams, GotoDefinitionResponse, Location, ReferenceParams};

use super::World;

pub fn definition(w: &World, params: &GotoDefinitionParams) -> Option<GotoDefinitionResponse> {
    let at = &params.text_document_position_params;
    let o = w.occurrence(&at.text_document.uri, at.position)?;
    let defs: Vec<Location> = w
        .snap
        .index()
        .of(&o.symbol)
        .into_iter()
        .filter(|d| d.definition)
        .filter_map(|d| w.location(d))
        .collect();
    match defs.len() {
        0 => None,
        1 => defs.into_iter().next().map(GotoDefinitionResponse::Scalar),
        _ => Some(GotoDefinitionResponse::Array(defs)),
    }
}

pub fn references(w: &World, params: &ReferenceParams) -> Option<Vec<Location>> {
    let at = &params.text_document_position;
    let o = w.occurrence(&at.text_document.uri, at.position)?;
    let with_declaration = params.context.include_declaration;
    Some(
        w.snap
            .index()
            .of(&o.symbol)
            .into_iter()
            .filter(|r| with_declaration || !r.definition)
            .filter_map(|r| w.location(r))
            .collect(),
    )
}
