// costfront benchmark: nondominated filter and hypervolume against qsort of the same data and against pagmo 2
// (Debian libpagmo-dev), all in one process. Each time is the median of at least 5 repeats of the process CPU time
// (everything measured is single-threaded, so on an idle machine this equals wall time; on a shared machine it is
// far less noisy). Prints a markdown
// table on stdout; progress goes to stderr only when stderr is a terminal.
//
//   cmake --build build-pareto --target bench_pareto && ./build-pareto/bench/bench_pareto
#include <pagmo/utils/hypervolume.hpp>
#include <pagmo/utils/multi_objective.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <functional>
#include <string>
#include <thread>
#include <unistd.h>
#include <vector>

extern "C" {
#include "costfront/pareto.h"
}

namespace
{

bool g_tty = false;

void progress(const char *what)
{
    if (g_tty) std::fprintf(stderr, "  running: %s\n", what);
}

double now()
{
    timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + 1e-9 * ts.tv_nsec;
}

// Median time of reps runs of f after one untimed warm-up run; prep (untimed) runs before each.
double median_time(int reps, const std::function<void()> &f, const std::function<void()> &prep = {})
{
    std::vector<double> t;
    for (int r = -1; r < reps; r++) {
        if (prep) prep();
        double t0 = now();
        f();
        if (r >= 0) t.push_back(now() - t0);
    }
    std::sort(t.begin(), t.end());
    return t[t.size() / 2];
}

uint64_t g_rng = 12345;
uint64_t rnd()
{
    uint64_t z = (g_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
double unif() { return (rnd() >> 11) * 0x1.0p-53; }

std::vector<double> random_points(size_t n, size_t d)
{
    std::vector<double> p(n * d);
    for (auto &x : p) x = unif();
    return p;
}

// Uniform random points on the positive unit sphere (DTLZ2 front), in random order.
std::vector<double> sphere_points(size_t n, size_t d)
{
    std::vector<double> p(n * d);
    for (size_t i = 0; i < n; i++) {
        double r = 0;
        for (size_t k = 0; k < d; k++) {
            double g = std::fabs(std::sqrt(-2 * std::log(1 - unif())) * std::cos(2 * M_PI * unif())) + 1e-12;
            p[i * d + k] = g;
            r += g * g;
        }
        r = std::sqrt(r);
        for (size_t k = 0; k < d; k++) p[i * d + k] /= r;
    }
    return p;
}

// Uniform random points on the simplex x_1 + ... + x_d = 1 (normalised exponentials): a linear front, so the
// whole set is mutually nondominated like the sphere, with a different shape.
std::vector<double> random_front(size_t n, size_t d)
{
    std::vector<double> p(n * d);
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t k = 0; k < d; k++) {
            double e = -std::log(1 - unif()) + 1e-12;
            p[i * d + k] = e;
            s += e;
        }
        for (size_t k = 0; k < d; k++) p[i * d + k] /= s;
    }
    return p;
}

struct rec2 {
    double x, y;
    size_t i;
};
struct rec3 {
    double x, y, z;
    size_t i;
};
int cmp_rec2(const void *a, const void *b)
{
    const rec2 *p = static_cast<const rec2 *>(a), *q = static_cast<const rec2 *>(b);
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    return (p->y > q->y) - (p->y < q->y);
}
int cmp_rec3(const void *a, const void *b)
{
    const rec3 *p = static_cast<const rec3 *>(a), *q = static_cast<const rec3 *>(b);
    if (p->x != q->x) return p->x < q->x ? -1 : 1;
    if (p->y != q->y) return p->y < q->y ? -1 : 1;
    return (p->z > q->z) - (p->z < q->z);
}

// Median time of qsort of the rows as {coordinates, index} records compared lexicographically.
double qsort_time(const std::vector<double> &p, size_t n, size_t d, int reps)
{
    if (d == 2) {
        std::vector<rec2> base(n), work(n);
        for (size_t i = 0; i < n; i++) base[i] = {p[2 * i], p[2 * i + 1], i};
        return median_time(
            reps, [&] { std::qsort(work.data(), n, sizeof(rec2), cmp_rec2); }, [&] { work = base; });
    }
    std::vector<rec3> base(n), work(n);
    for (size_t i = 0; i < n; i++) base[i] = {p[3 * i], p[3 * i + 1], p[3 * i + 2], i};
    return median_time(
        reps, [&] { std::qsort(work.data(), n, sizeof(rec3), cmp_rec3); }, [&] { work = base; });
}

std::vector<pagmo::vector_double> to_pagmo(const std::vector<double> &p, size_t n, size_t d)
{
    std::vector<pagmo::vector_double> v(n, pagmo::vector_double(d));
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < d; k++) v[i][k] = p[i * d + k];
    return v;
}

std::string cpu_model()
{
    std::ifstream f("/proc/cpuinfo");
    std::string line;
    while (std::getline(f, line))
        if (line.rfind("model name", 0) == 0) {
            auto c = line.find(':');
            return c == std::string::npos ? line : line.substr(c + 2);
        }
    return "unknown";
}

struct row {
    std::string what;
    size_t n, d;
    double ours;
    std::string ref_name;
    double ref;
    std::string note;
};

std::vector<row> g_rows;
int g_fail = 0;

// pagmo_n: when nonzero, compare with pagmo's 2-D front on the first pagmo_n points only (it is O(n x front)).
void filter_case(const char *label, const std::vector<double> &p, size_t n, size_t d, int reps, size_t pagmo_n = 0)
{
    std::vector<unsigned char> nd(n);
    progress(label);
    double t = median_time(reps, [&] {
        if (cf_pareto_filter(p.data(), n, d, nd.data()) != CF_OK) std::abort();
    });
    size_t kept = 0;
    for (auto c : nd) kept += c;
    double q = qsort_time(p, n, d, reps);
    char note[128];
    std::snprintf(note, sizeof note, "%zu kept", kept);
    g_rows.push_back({label, n, d, t, "qsort of the rows", q, note});
    if (d == 2 && pagmo_n) {
        if (pagmo_n < n) {
            n = pagmo_n;
            t = median_time(reps, [&] { cf_pareto_filter(p.data(), n, d, nd.data()); });
            kept = 0;
            for (size_t i = 0; i < n; i++) kept += nd[i];
        }
        auto pp = to_pagmo(p, n, d);
        std::vector<pagmo::pop_size_t> front;
        progress("pagmo non_dominated_front_2d");
        double tp = median_time(reps, [&] { front = pagmo::non_dominated_front_2d(pp); });
        std::snprintf(note, sizeof note, "pagmo kept %zu (%s)", front.size(),
                      front.size() == kept ? "agrees" : "DIFFERS");
        if (front.size() != kept) g_fail = 1;
        g_rows.push_back({label, n, d, t, "pagmo::non_dominated_front_2d", tp, note});
    }
}

void hv_case(const char *label, const std::vector<double> &p, size_t n, size_t d, int reps)
{
    std::vector<double> ref(d, 1.1);
    double v = 0;
    progress(label);
    double t = median_time(reps, [&] {
        if (cf_hypervolume(p.data(), n, d, ref.data(), &v) != CF_OK) std::abort();
    });
    pagmo::hypervolume h(to_pagmo(p, n, d), true);
    double pv = 0;
    progress("pagmo hypervolume");
    double tp = median_time(reps, [&] { pv = h.compute(ref); });
    double rel = std::fabs(v - pv) / std::fabs(pv);
    char note[160];
    std::snprintf(note, sizeof note, "HV %.12g, pagmo %.12g, rel diff %.1e (%s)", v, pv, rel,
                  rel <= 1e-9 ? "agree to 1e-9" : "DISAGREE");
    if (rel > 1e-9) g_fail = 1;
    g_rows.push_back({label, n, d, t, "pagmo::hypervolume::compute", tp, note});
}

} // namespace

int main()
{
    g_tty = isatty(2);
    const int reps = 5;
    std::printf("Machine: %s, %u logical cores (std::thread::hardware_concurrency), %ld online\n", cpu_model().c_str(),
                std::thread::hardware_concurrency(), sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("Each time is the median of %d repeats (after a warm-up run) of process CPU time, single-threaded, "
                "same process.\n\n",
                reps);
    std::fflush(stdout);

    // CF_BENCH_ONLY=filter or =hv runs only those cases (for iterating; the recorded runs use all).
    const char *only = std::getenv("CF_BENCH_ONLY");
    bool do_filter = !only || std::strcmp(only, "filter") == 0;
    bool do_hv = !only || std::strcmp(only, "hv") == 0;
    size_t n = 1000000;
    if (do_filter) {
        auto p = random_points(n, 2);
        filter_case("filter, random uniform", p, n, 2, reps, n);
    }
    if (do_filter) {
        auto p = sphere_points(n, 2);
        filter_case("filter, quarter-circle front", p, n, 2, reps, 20000);
    }
    if (do_filter) {
        auto p = random_points(n, 3);
        filter_case("filter, random uniform", p, n, 3, reps);
    }
    if (do_filter) {
        auto p = sphere_points(n, 3);
        filter_case("filter, sphere-octant front", p, n, 3, reps);
    }
    if (do_hv) {
        auto p = sphere_points(1000000, 2);
        hv_case("hypervolume, quarter-circle front", p, 1000000, 2, reps);
    }
    if (do_hv) {
        auto p = sphere_points(100000, 3);
        hv_case("hypervolume, sphere-octant front", p, 100000, 3, reps);
    }
    if (do_hv) {
        auto p = sphere_points(1000000, 3);
        hv_case("hypervolume, sphere-octant front", p, 1000000, 3, reps);
    }
    if (do_hv) {
        auto p = sphere_points(10000, 4);
        hv_case("hypervolume, 4-sphere front", p, 10000, 4, reps);
    }
    if (do_hv) {
        auto p = random_points(10000, 4);
        hv_case("hypervolume, random uniform", p, 10000, 4, reps);
    }
    if (do_hv) {
        auto p = random_front(10000, 4);
        hv_case("hypervolume, random front", p, 10000, 4, reps);
    }
    if (do_hv) {
        auto p = sphere_points(1000, 5);
        hv_case("hypervolume, 5-sphere front", p, 1000, 5, reps);
    }
    if (do_hv) {
        auto p = random_points(1000, 5);
        hv_case("hypervolume, random uniform", p, 1000, 5, reps);
    }
    if (do_hv) {
        auto p = random_front(1000, 5);
        hv_case("hypervolume, random front", p, 1000, 5, reps);
    }

    std::printf("| case | n | d | costfront (s) | reference | reference (s) | costfront / reference | check |\n");
    std::printf("|---|---|---|---|---|---|---|---|\n");
    for (auto &r : g_rows)
        std::printf("| %s | %zu | %zu | %.4f | %s | %.4f | %.2f | %s |\n", r.what.c_str(), r.n, r.d, r.ours,
                    r.ref_name.c_str(), r.ref, r.ours / r.ref, r.note.c_str());
    return g_fail;
}
