//! `POST /v1/areas/import {siteId, csv, dryRun?}` (planners): a site's rooms from a
//! spreadsheet's CSV (see [`domain::area_import`]), all or nothing. Every row is checked by the
//! area's own rules and its area type found by name; the answer names every bad field as
//! `rows[i].field` (with the file's line), and nothing is written unless every row is good.
//! `dryRun` answers the preview (each room's minutes) without writing.

use std::collections::{BTreeMap, BTreeSet};

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use domain::area_import::read_csv;
use domain::sites::{Area, AreaType, AreaWorkload, Site};
use domain::store::{Filter, Query, Write};
use domain::{Entity, FieldError, Fields, ValidationErrors};
use platform::crud::{Stored, entity_fields, new_id, still_at};
use platform::error::ApiResult;
use platform::http::JsonBody;
use platform::{ApiError, RequestContext, Role};
use serde::Serialize;
use serde_json::{Value, json};

/// The body of `POST /v1/areas/import` (read field by field with [`Fields`], which names
/// every bad one; this describes it for the API document).
#[derive(utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)]
pub struct AreaImportRequest {
    /// The site the rooms belong to.
    site_id: String,
    /// The spreadsheet saved as CSV: a header row naming the columns (name, floor, size in
    /// m², area type by name, in German, English, French or Italian), separated by `;`, `,`
    /// or tabs; decimal commas are read as such. At most 400 rooms.
    csv: String,
    /// Check and preview only; write nothing.
    #[serde(default)]
    dry_run: Option<bool>,
}

/// One room of an import as it will be (or was) written, with its work-loading.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ImportedRoom {
    /// The line of the file it came from (the header is line 1).
    line: usize,
    name: String,
    floor: i64,
    size_sqm: f64,
    area_type_id: String,
    /// The area type's name, as the file named it.
    area_type: String,
    minutes_per_cleaning: f64,
    minutes_per_week: f64,
}

/// The answer to an import: the preview (`dryRun`) or what was written.
#[derive(Serialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct AreaImport {
    site_id: String,
    /// How many rooms.
    rooms: usize,
    /// Their minutes per week together.
    minutes_per_week: f64,
    rows: Vec<ImportedRoom>,
    /// The new areas' ids, in the order of the rows (not on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    ids: Option<Vec<String>>,
}

/// The most area types one import may name (each is looked up by name).
const MAX_AREA_TYPES: usize = 50;

/// The area type of each name the rows give: found, or why not.
async fn area_types_by_name(
    cx: &RequestContext,
    names: BTreeSet<String>,
) -> ApiResult<BTreeMap<String, Result<Stored<AreaType>, String>>> {
    let mut found = BTreeMap::new();
    for name in names {
        let query = Query::new(AreaType::COLLECTION)
            .filter(Filter::eq("name", name.as_str()))
            .limit(2);
        let page = cx.store().query(&query).await?;
        let mut types = page.documents.into_iter().map(Stored::from_document);
        let result = match (types.next().transpose()?, types.next().transpose()?) {
            (Some(t), None) => Ok(t),
            (Some(_), Some(_)) => Err(format!("two area types are named {name:?}: rename one")),
            _ => Err(format!("no area type is named {name:?} (/v1/area-types)")),
        };
        found.insert(name, result);
    }
    Ok(found)
}

pub async fn import_areas(cx: RequestContext, JsonBody(body): JsonBody) -> ApiResult<Response> {
    cx.caller.require(&Role::PLANNERS, "import areas")?;
    let mut f = Fields::new(&body, &[])?;
    let site_id = f.required_parsed("siteId", |raw| domain::id::parse_id(raw).map(str::to_owned));
    let csv = f.required_str("csv", 1..=platform::http::MAX_BODY_BYTES);
    let dry_run = f.optional_bool("dryRun").unwrap_or(false);
    let (site_id, csv) = f.finish(|| Some((site_id?, csv?)))?;
    let site: Stored<Site> = cx
        .repo::<Site>()
        .find(&site_id)
        .await?
        .ok_or_else(|| ApiError::field("siteId", "no site has this id"))?;
    let rows = read_csv(&csv)?;
    let names: BTreeSet<String> = rows
        .iter()
        .filter_map(|r| r.get("areaType")?.as_str().map(str::to_owned))
        .collect();
    if names.len() > MAX_AREA_TYPES {
        return Err(ApiError::field(
            "csv",
            format!(
                "names {} area types, at most {MAX_AREA_TYPES} per import",
                names.len()
            ),
        ));
    }
    let types = area_types_by_name(&cx, names).await?;
    let mut errors = Vec::new();
    let mut areas: Vec<(Area, &Stored<AreaType>)> = Vec::new();
    let mut seen: BTreeMap<(String, Option<String>), usize> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        let line = i + 2;
        let mut error = |field: &str, message: String| {
            errors.push(FieldError {
                field: format!("rows[{i}].{field}"),
                message: format!("line {line}: {message}"),
            });
        };
        let mut body = row.clone();
        body.insert("siteId".into(), json!(site_id));
        let area_type = match body.remove("areaType") {
            Some(Value::String(name)) => match &types[&name] {
                Ok(t) => {
                    body.insert("areaTypeId".into(), json!(t.meta.id));
                    Some(t)
                }
                Err(why) => {
                    error("areaType", why.clone());
                    None
                }
            },
            _ => {
                error("areaType", "is required".into());
                None
            }
        };
        match Area::parse(&Value::Object(body)) {
            Ok(area) => {
                let key = (
                    area.name.to_lowercase(),
                    row.get("floor").map(Value::to_string),
                );
                if let Some(first) = seen.insert(key, line) {
                    error("name", format!("repeats the room of line {first}"));
                } else if let Some(t) = area_type {
                    areas.push((area, t));
                }
            }
            Err(e) => {
                for FieldError { field, message } in e.0 {
                    // The area type was looked up by name above; its id was never the file's.
                    if field != "areaTypeId" {
                        error(&field, message);
                    }
                }
            }
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::Validation(ValidationErrors(errors)));
    }
    let rows: Vec<ImportedRoom> = areas
        .iter()
        .enumerate()
        .map(|(i, (area, t))| {
            let work = AreaWorkload::of(area, &t.entity).rounded();
            ImportedRoom {
                line: i + 2,
                name: area.name.clone(),
                floor: area.floor,
                size_sqm: area.size_sqm,
                area_type_id: t.meta.id.clone(),
                area_type: t.entity.name.clone(),
                minutes_per_cleaning: work.minutes_per_cleaning,
                minutes_per_week: work.minutes_per_week,
            }
        })
        .collect();
    let minutes_per_week: f64 = rows.iter().map(|r| r.minutes_per_week).sum();
    let mut answer = AreaImport {
        site_id,
        rooms: areas.len(),
        minutes_per_week: domain::number::round2(minutes_per_week),
        rows,
        ids: None,
    };
    if dry_run {
        return Ok(Json(answer).into_response());
    }
    // One commit: the rooms, and the site and area types they name staying as they were read.
    let mut writes = vec![still_at(&site)];
    let guarded: BTreeMap<&str, &Stored<AreaType>> = areas
        .iter()
        .map(|(_, t)| (t.meta.id.as_str(), *t))
        .collect();
    writes.extend(guarded.values().map(|t| still_at(*t)));
    let mut ids = Vec::with_capacity(areas.len());
    for (area, _) in &areas {
        let id = new_id();
        writes.push(Write::Create {
            collection: Area::COLLECTION,
            id: id.clone(),
            fields: entity_fields(area)?,
        });
        ids.push(id);
    }
    cx.store().commit(writes, cx.now()).await.map_err(|e| {
        if e.is_precondition_failure() {
            ApiError::Conflict(
                "the site or an area type changed during the import: import again".into(),
            )
        } else {
            e.into()
        }
    })?;
    answer.ids = Some(ids);
    Ok((StatusCode::CREATED, Json(answer)).into_response())
}
