// Concatenation along one axis and its inverse (a split), on row-major float32 tensors viewed as
// `rows` rows (the product of the axes before the concatenated one): part i of every row is
// widths[i] contiguous values (its extent along that axis times the axes after it).
#pragma once

#include "thread_pool.h"

void concat_rows(const float* const* inputs, const long* widths, int count, long rows, float* out, ThreadPool& pool);

void split_rows(const float* x, float* const* outputs, const long* widths, int count, long rows, ThreadPool& pool);
