/* tandem-core.h
 *
 * Copyright 2026 Tandem developers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "tandem-company.h"
#include "tandem-hlc.h"
#include "tandem-icp.h"
#include "tandem-lead.h"
#include "tandem-matching.h"
#include "tandem-member.h"
#include "tandem-persona.h"
#include "tandem-pipeline.h"
#include "tandem-record.h"
#include "tandem-record-list.h"
#include "tandem-routing.h"
#include "tandem-sample.h"
#include "tandem-schema.h"
#include "tandem-scoring.h"
#include "tandem-store.h"
#include "tandem-sync-state.h"
