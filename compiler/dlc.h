/* dlc.h — the compiler's one internal header, in sections by file (after chibicc).
 *
 * Pipeline (driver.c:compile_model lists it in order):
 *   .dlm --parse (grammar/)--> AST --sema.c--> graph IR with shapes (shape.c)
 *        --grad.c--> gradients --optim.c--> optimizer updates
 *        --plan.c--> per-function DCE, schedule, memory plan --lower.c--> kernel IR (kernel.c)
 *        --emit_llvm.c--> LLVM IR, ORC LLJIT
 *
 * The compiler never frees: a short-lived process allocates from the heap and exits. */
#ifndef DLC_H
#define DLC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "dlrt.h"

/* ---- util.c ------------------------------------------------------------------------------ */
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t size);
char *xstrdup(const char *s);
char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* Growable array of pointers. */
typedef struct { void **v; int n, cap; } Vec;
void vec_push(Vec *v, void *x);
int edit_distance(const char *a, const char *b);
char *read_file(const char *path, size_t *len);   /* NULL when unreadable (errno set) */

/* ---- diag.c: user errors at a source location; internal errors -------------------------- */
typedef struct {
    const char *file;
    int line, col;       /* 1-based; line 0 means "no location" */
    int len;             /* caret width (>= 1) */
} Loc;

void diag_set_source(const char *file, const char *text);
/* Print "file:line:col: error: msg", the line, a caret; then exit(1). */
_Noreturn void error_at(Loc loc, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* Same, but returns (for reporting several errors); counts them. */
void error_at_noexit(Loc loc, const char *f, ...) __attribute__((format(printf, 2, 3)));
void note_at(Loc loc, const char *f, ...) __attribute__((format(printf, 2, 3)));
/* A user error without a source location: "dlc: error: msg", exit 1. */
_Noreturn void fatal(const char *f, ...) __attribute__((format(printf, 1, 2)));
/* A compiler bug: says so, with the C file and line; exit 2. */
_Noreturn void internal_error(const char *file, int line, const char *f, ...)
    __attribute__((format(printf, 3, 4)));
#define unreachable() internal_error(__FILE__, __LINE__, "unreachable")
#define ICE(...) internal_error(__FILE__, __LINE__, __VA_ARGS__)
/* The nearest of `n` candidate names within a small edit distance, or NULL. */
const char *nearest_name(const char *name, const char *const *cands, int n);

/* ---- ast.c: the syntax tree ------------------------------------------------------------- */
typedef enum {
    A_NAME,    /* name */
    A_NUM,     /* num (is_int when written without '.' or exponent) */
    A_STR,     /* str */
    A_CALL,    /* lhs(args) */
    A_PIPE,    /* lhs -> rhs */
    A_BIN,     /* lhs binop rhs; binop in '+', '-', '*', '/' */
    A_NEG,     /* -lhs */
    A_LIST,    /* [args] */
    A_REPEAT,  /* repeat num lhs: num instances of the block call lhs */
    A_INDEX,   /* lhs[args]: each arg an index expression or an A_RANGE */
    A_RANGE,   /* lhs : rhs inside an index (either may be NULL) */
} AstKind;

typedef struct Ast Ast;
typedef struct Arg { const char *name; Loc name_loc; Ast *value; } Arg;  /* name NULL: positional */
struct Ast {
    AstKind kind;
    Loc loc;
    const char *name, *str;
    double num;
    bool is_int;
    int binop;
    int depth;           /* nesting depth, bounded by the parser */
    Ast *lhs, *rhs;
    Arg *args;
    int nargs;
};

typedef struct { bool is_sym; int64_t value; const char *sym; Loc loc; } AstDim;
typedef struct { dlrt_dtype dtype; Loc loc; AstDim *dims; int rank; } AstType;

typedef enum { S_INPUT, S_TARGET, S_ASSIGN, S_METRIC, S_OUTPUT, S_SETTING } StmtKind;
typedef struct {
    StmtKind kind;
    Loc loc;
    const char *name;    /* declared/assigned name; setting key */
    Loc name_loc;
    AstType type;        /* S_INPUT, S_TARGET */
    int64_t classes;     /* S_TARGET: 0 when not given */
    const char *classes_name;    /* S_TARGET: classes given by a named constant (e.g. vocab) */
    Loc classes_loc;
    Ast *expr;           /* S_ASSIGN, S_METRIC (a call), S_SETTING */
    Arg *names;          /* S_ASSIGN of several values (`y, h = ...`), S_OUTPUT: every name */
    int nnames;          /* (name and name_loc are the first's) */
} Stmt;

typedef struct {
    const char *name;
    Loc loc;
    Stmt *stmts;
    int nstmts;
} ModelAst;

/* block NAME(params) { declarations  forward(inputs) { statements  return expr } } */
typedef struct {
    const char *name;
    Loc loc;
    Arg *params;         /* name, and a default value or NULL */
    int nparams;
    Stmt *decls;
    int ndecls;
    Arg *inputs;         /* names only */
    int ninputs;
    Stmt *body;
    int nbody;
    Ast *ret;
} BlockAst;

typedef struct {
    ModelAst *model;     /* exactly one model per file */
    BlockAst **blocks;
    int nblocks;
    Stmt *train;         /* settings of the train section */
    int ntrain;
    Loc train_loc;
    bool has_train;
} FileAst;

Ast *new_ast(AstKind k, Loc loc);
void dump_ast(FILE *out, const FileAst *f);
const char *dtype_keyword(dlrt_dtype t);

/* ---- parse (grammar/parser.y, grammar/lexer.l) ------------------------------------------ */
/* Parse a whole file; syntax errors are reported through error_at and exit 1. */
FileAst *parse_file(const char *path, const char *text);

/* ---- graph.c: the graph IR -------------------------------------------------------------- */
#define MAX_SYMS 4
#define MAX_IN 6

/* A dimension: c * prod(sym_i ^ e[i]), e.g. 784, N, 28*N.  Symbols are the model's symbolic
 * dims (N, T, ...), bound at run time; sym 0 is the batch. */
typedef struct { int64_t c; uint8_t e[MAX_SYMS]; } Dim;
typedef struct { int rank; Dim d[DLRT_MAX_RANK]; } Shape;

#include "ops.h"
typedef enum {
#define X(name, text, arity, flags, shape, grad, lower, scalar) OP_##name,
    DLC_OPS(X)
#undef X
    OP_COUNT
} Op;

enum { OPF_L = 1, OPF_E = 2, OPF_V = 4, OPF_X = 8 };

typedef struct Node Node;
struct Node {
    int id;
    Op op;
    dlrt_dtype dtype;
    Shape shape;
    Node *in[MAX_IN];
    int nin;
    int64_t iattr[8];
    double fattr[4];
    const char *name;    /* parameter/input name; user's name for an intermediate */
    Loc loc;
    int index;           /* INPUT: io slot; PARAM/STATE: index into graph params/states */
    double *data;        /* CONST with one value per element (else fattr[0] everywhere) */
    Dim extra;           /* elements of scratch space after the value (a kernel's temporaries) */
    /* plan.c scratch, per compiled function */
    int live, last_use, uses;
    int base;            /* B_* below */
    int64_t offset;      /* bytes into base */
};

/* Recurrences (RNN_SEQ, RNN_BWD): iattr slots, cells, and the saved states [S, T, N, H] of
 * RNN_SEQ, time-major.  Slab 0 holds h of every step; LSTM: slab 1 c, slabs 2-5 the activated
 * gates i, f, g, o as [T, N, 4H]; GRU: slabs 1-3 the activated gates r, z, n as [T, N, 3H],
 * slab 4 W_hn h_prev + b_hn.  Steps run t = 0 .. T-1, or T-1 .. 0 when reversed. */
enum { RNN_CELL, RNN_REVERSE, RNN_BIAS, RNN_H0, RNN_C0, RNN_MODE };
enum { CELL_TANH, CELL_RELU, CELL_LSTM, CELL_GRU };
static inline int rnn_gates(int cell) { return cell == CELL_LSTM ? 4 : cell == CELL_GRU ? 3 : 1; }
static inline int rnn_slabs(int cell) { return cell == CELL_LSTM ? 6 : cell == CELL_GRU ? 5 : 1; }

/* Attention masks (ATTN_SOFTMAX, ATTENTION): key j is hidden from query i when ATT_CAUSAL and
 * j > i; with ATT_KEYS = ATT_KEY_IDS when the key ids [B, S] (the op's last input) equal ATT_PAD;
 * with ATT_KEY_LENGTHS when j >= lengths[b] ([B], the last input).  fattr0 scales the scores.
 * A query that sees no key gets zero weights. */
enum { ATT_CAUSAL, ATT_KEYS, ATT_PAD };
enum { ATT_KEY_NONE, ATT_KEY_IDS, ATT_KEY_LENGTHS };
/* ATTENTION's tiles: ATT_BR queries against ATT_BC keys at a time (its scratch: the score tile,
 * the tile's product with V, and each query's running max and sum). */
enum { ATT_BR = 64, ATT_BC = 64 };

/* B_OUT: the out[] results; B_FUSED: no buffer, computed inside its consumer's loop (an
 * elementwise value used once by an elementwise op of its shape); B_IO + k: io[k] */
enum { B_NONE, B_P, B_G, B_S, B_W, B_OUT, B_FUSED, B_IO };

typedef enum { INIT_ZEROS, INIT_ONES, INIT_UNIFORM, INIT_NORMAL } InitKind;

typedef struct {
    Node *node;
    const char *name;    /* PyTorch state_dict name, e.g. "fc1.weight" */
    InitKind init;
    double init_a;       /* uniform bound or normal std */
    int64_t offset;      /* bytes into P (and G) */
    bool trainable;      /* false for buffers such as BatchNorm's running statistics */
    bool decay;          /* a Dense/Conv weight: the train section's l1/l2 penalties apply */
    double l1, l2;       /* penalties declared on its layer (added to the train section's) */
    int64_t zero_row;    /* a row initialized to zeros (Embedding's padding_idx), or -1 */
    Node *grad;          /* set by grad.c (trainable parameters only) */
} Param;

typedef struct {
    Node *node;
    const char *name;
    bool is_target;
    int64_t classes;     /* targets with integer classes */
    Loc loc;
} IoSlot;

typedef struct {
    const char *name;    /* "loss", "accuracy" */
    Node *node;          /* the scalar; RESULT nodes are made per function */
    int kind;            /* DLRT_RESULT_*: how it aggregates over batches */
} ResultDef;

/* One line of `dlc check`'s summary: a layer or function application in the model. */
typedef struct {
    const char *name, *kind;
    Node *node;
    int64_t params;      /* parameters this application created */
} SummaryRow;

typedef struct {
    const char *names[MAX_SYMS];
    Loc sym_loc[MAX_SYMS];      /* where each symbol first appears */
    int64_t sym_min[MAX_SYMS];  /* the least size the model reads (x[:, -8:] needs T >= 8) */
    Loc sym_min_loc[MAX_SYMS];  /* ... and the index that needs it */
    int64_t sym_cap[MAX_SYMS];  /* the most it may be (learned positions for 64 steps), 0: any */
    Loc sym_cap_loc[MAX_SYMS];  /* ... and the layer that caps it */
    int nsyms;
    int64_t max[MAX_SYMS];      /* values the memory plan is sized for */
    Vec nodes;                  /* Node*, in creation order (a valid schedule) */
    Param **params; int nparams;
    Node **states; int nstates; /* optimizer state tensors, in the S block */
    IoSlot io[16]; int nio;     /* inputs and targets, then outputs */
    int ninputs;                /* io[0..ninputs) are inputs/targets */
    ResultDef results[8]; int nresults;   /* results[0] is the loss */
    Node *loss;
    Node *out_nodes[16];        /* OUTPUT effects writing the predictions, io[ninputs..nio) */
    Node *res_nodes[8];         /* RESULT effects, one per results[] */
    Vec updates;                /* optimizer effect nodes */
    Vec stat_updates;           /* running-statistics effects, train step only */
    dlrt_dtype fdtype;          /* float dtype of the compilation (f32 or f64) */
    Vec summary;                /* SummaryRow* */
    int64_t param_bytes, state_bytes;
} Graph;

extern const char *const op_text[OP_COUNT];
extern const int op_arity[OP_COUNT];
extern const int op_flags[OP_COUNT];

Graph *new_graph(void);
Node *new_node(Graph *g, Op op, Loc loc, int nin, Node **in);
/* An op whose shape the caller gives (no shape rule), with integer attributes ia[8]. */
Node *new_node_attr(Graph *g, Op op, Loc loc, int nin, Node **in, const int64_t *ia, Shape s);
Node *new_broadcast(Graph *g, Loc loc, Node *x, Shape s);
Node *node1(Graph *g, Op op, Loc loc, Node *a);
Node *node2(Graph *g, Op op, Loc loc, Node *a, Node *b);
Node *node3(Graph *g, Op op, Loc loc, Node *a, Node *b, Node *c);
Node *new_const(Graph *g, Loc loc, double v, dlrt_dtype t);
Node *new_const_vector(Graph *g, Loc loc, const double *v, int n, dlrt_dtype t);
/* op(a) . op(b), op = transpose when ta / tb (see OP_MATMUL) */
Node *new_matmul(Graph *g, Loc loc, Node *a, Node *b, int ta, int tb);
/* ... with `nb` leading batch axes that a, b and the result share: one product per batch index */
Node *new_bmm(Graph *g, Loc loc, Node *a, Node *b, int ta, int tb, int nb);
/* A product's sizes: `batch` matrices of op(a) [m, k] . op(b) [k, n].  Without batch axes a and
 * b are seen as [rows, last]; with them each is [batch..., rows, cols].  ka and kb are the inner
 * sizes each operand gives (equal when the product is well formed). */
typedef struct { Dim batch, m, n, ka, kb; } MatDims;
MatDims matmul_dims(const Node *n);
/* Workspace elements per batch index when a batched product runs its batch as a parallel loop,
 * each index packing into a slice of its own; -1 when it runs them in turn */
int64_t matmul_batch_slice(const Graph *g, const Node *n);
bool matmul_dot(const Node *n);   /* lowered as KGemm's dot form */
bool pool_tiles(const Shape *x, const Shape *y, const int64_t *a);   /* pooling windows a (iattr) tile x exactly */
Node *new_reshape(Graph *g, Loc loc, Node *x, Shape s);
Node *new_sum_to(Graph *g, Loc loc, Node *x, Shape s);
bool is_float(dlrt_dtype t);

Dim dim_const(int64_t c);
Dim dim_sym(int s);
Dim dim_mul(Dim a, Dim b);
bool dim_eq(Dim a, Dim b);
bool dim_is_const(Dim a);
/* Divide a by b when the result is a Dim (b divides a's coefficient, b's symbols in a). */
bool dim_div(Dim a, Dim b, Dim *out);
int64_t dim_eval(const Graph *g, Dim d, const int64_t *symval);
char *dim_str(const Graph *g, Dim d);
Shape shape_of(int rank, const Dim *d);
bool shape_eq(const Shape *a, const Shape *b);
Dim shape_numel(const Shape *s);
Dim shape_rows(const Shape *s);      /* product of all but the last dim */
char *shape_str(const Graph *g, const Shape *s);
int64_t shape_numel_max(const Graph *g, const Shape *s);
/* A user error when n's size at the planned batch overflows or exceeds 2^40 elements. */
void check_size(const Graph *g, const Node *n);

void print_graph(FILE *out, const Graph *g, const char *title);
/* Structural checks between passes; an inconsistency is an internal error. */
void verify_graph(const Graph *g, const char *after);

/* ---- shape.c: shape rules (one per op; see ops.h) ----------------------------------------- */
typedef void ShapeFn(Graph *g, Node *n);
void infer_shape(Graph *g, Node *n);

/* ---- sema.c: AST -> graph (names, layers, dataflow) -------------------------------------- */
typedef enum { OPT_SGD, OPT_MOMENTUM, OPT_ADAM } OptKind;
typedef enum { DATA_NONE, DATA_IDX, DATA_NPY, DATA_TEXT, DATA_CSV } DataKind;

typedef struct {
    DataKind data;
    const char *data_paths[8];    /* idx: directory; npy: one file per input and target, in order */
    int ndata_paths;
    Loc data_loc;
    OptKind opt;
    double lr, momentum, beta1, beta2, eps, weight_decay;
    double l1, l2;                /* penalties on Dense/Conv weights, added to the loss */
    int schedule;                 /* dlrt_schedule of the learning rate, and its parameters */
    double sched_a, sched_b;
    int64_t batch, epochs, steps, seed;
    double val_split;             /* fraction held out when there is no test set */
    int64_t window;               /* text: tokens per training window */
    int text_unit;                /* text: DLRT_TEXT_BYTES or DLRT_TEXT_UTF8 */
    const char *csv_target;       /* csv: the target column's header name, or NULL ... */
    int64_t csv_target_index;     /* ... and then its index (negative: from the end) */
    double clip_norm, clip_value; /* gradient clipping (0: none) */
} TrainCfg;

typedef struct {
    FileAst *ast;
    Graph *g;
    TrainCfg train;
    const char *path;
    dlrt_text text;      /* text data: the corpus (read when the model names `vocab`) */
} Model;

/* Build the forward graph and the loss; f64 promotes every float to double (gradcheck).
 * `vocab` > 0 gives the name `vocab` its value (else the text data's vocabulary size). */
Model *sema_model(FileAst *f, const char *path, bool f64, int64_t vocab);

/* ---- layers.c: layer catalog (Dense, ...) ----------------------------------------------- */
typedef struct Layer Layer;
typedef struct LayerKind LayerKind;
const LayerKind *find_layer_kind(const char *name);
const char *const *layer_kind_names(int *n);
/* Make a layer from hyperparameters (positional/keyword args already evaluated to numbers). */
Layer *new_layer(const LayerKind *k, const char *name, Loc loc, Ast *call);
/* Apply l to its tensors in[0..nin), slot k named layer_inputs(l)[k] (x, then a recurrence's
 * initial states h0, c0; attention's query, key, value, mask, lengths), NULL when not given,
 * written at in_loc[]: out[0] the result, then a recurrent layer's final states when it has
 * return_state, attention's weights when it has return_weights; returns how many. */
enum { LAYER_MAX_INPUTS = 8 };
int apply_layer(Graph *g, Layer *l, Node **in, const Loc *in_loc, int nin, Node **out, Loc loc);
const char *const *layer_inputs(const Layer *l);   /* NULL-terminated */
const char *layer_name(const Layer *l);
const char *layer_kind_name(const Layer *l);
int layer_params(const Layer *l, Param **out);     /* after being applied */
Param *add_param(Graph *g, const char *name, Shape s, InitKind init, double a, Loc loc);
/* A non-trainable parameter ("buffer": running statistics, counters), saved with the weights. */
Param *add_buffer(Graph *g, const char *name, Shape s, dlrt_dtype t, InitKind init, Loc loc);
/* Evaluate an argument that must be a compile-time number. */
double const_number(Ast *e, const char *what);
/* Look up keyword/positional arg `i`/`name` of a call; NULL when absent. */
Ast *call_arg(Ast *call, int pos, const char *name);
/* Reject positional args past `npos`, keywords not in `names` (NULL-terminated; names[i] is
 * also the name of positional i, "" when it has none), and arguments given twice. */
void check_call_args(Ast *call, int npos, const char *const *names, const char *what);

/* ---- grad.c: reverse-mode autodiff ------------------------------------------------------ */
typedef void GradFn(Graph *g, Node *n, Node *dy, Node **dx);   /* dx[i]: adjoint of in[i] or NULL */
void build_gradients(Graph *g);

/* ---- optim.c: optimizer update ops -------------------------------------------------------- */
void build_optimizer(Graph *g, const TrainCfg *cfg);

/* ---- kernel.c: the kernel IR (loops over buffers) ------------------------------------------ */
typedef enum { KT_BOOL, KT_I64, KT_I32, KT_F32, KT_F64 } KType;

typedef enum {
    K_FCONST, K_ICONST, K_VAR, K_SYM, K_HP, K_LOAD,
    K_ADD, K_SUB, K_MUL, K_DIV, K_REM, K_MAX, K_MIN, K_POW,
    K_NEG, K_EXP, K_LOG, K_TANH, K_ERF, K_SQRT, K_ABS, K_SIN, K_COS,
    K_LT, K_LE, K_GT, K_GE, K_EQ, K_NE, K_AND, K_OR,
    K_SELECT, K_CAST,
    K_RAND,              /* uniform [0, 1) from (key a, counter b), both i64: a counter-based hash */
} KOp;

typedef struct KExpr KExpr;
struct KExpr {
    KOp op;
    KType t;
    KExpr *a, *b, *c;
    double f;            /* K_FCONST */
    int64_t i;           /* K_ICONST; K_VAR var; K_SYM sym; K_HP index; K_LOAD buf */
};

/* KS_REGION: the statements of one graph node, named (e.g. "n12_relu"); the LLVM back end
 * makes each region a function of its own (profiles name the node; the optimizer works on
 * small functions), the C back end prints it inline. */
typedef enum { KS_FOR, KS_STORE, KS_LET, KS_SET, KS_IF, KS_GEMM, KS_REGION } KStmtKind;

/* c[m, n] = op(a)[m, k] . op(b)[k, n], all row-major and dense; op(a) = a stored [k, m] when ta,
 * op(b) = b stored [n, k] when tb.  Every back end computes each element as the same chain
 *   acc = 0; for (p = 0; p < k; p++) acc = fma(op(a)[i, p], op(b)[p, j], acc)
 * (emit_gemm.c blocks and vectorizes it, emit_c.c prints it plainly), so they agree bit for bit.
 * `ws` is the workspace buffer for packed panels (GEMM_WS_BYTES of the type); -1 for none: B
 * (untransposed) is then always read in place, so the GEMM may run inside a parallel loop
 * (threads it would start there run inline).  `ldb` is b's row stride, NULL for dense (n, or k
 * when tb): a padded stride keeps a B read in place from aliasing in the cache (gemm_padded_ld).
 *
 * `dot`: the dot form of a tb product (not ta) with few outputs and a long k (matmul_dot), whose
 * rows of A and B are both contiguous in k: read in place, no packing, and k split into chunks
 * of GEMM_DOT_KC, which threads share.  Its arithmetic differs from the chain above: per chunk
 * [lo, hi) of k, GEMM_DOT_LANES chains (lane l: the p = l mod 16, in order, from 0), summed as
 * a tree (lane l += lane l + h for h = 8, 4, 2, 1); C = chunk 0 + chunk 1 + ... in order.
 * Chunks 1.. are summed in `ws`, (chunks - 1) m n elements. */
typedef struct {
    bool ta, tb;
    int a, b, c, ws;         /* buffers */
    KExpr *aoff, *boff, *coff;   /* element offsets into a, b, c */
    KExpr *m, *n, *k;
    KExpr *ldb;
    bool dot;
    KExpr *wsoff;            /* element offset of this product's slice of ws (NULL: 0), e.g. a
                              * parallel loop's iteration's own */
    int bias;                /* -1, or a buffer: C[i, j] = chain + bias[biasoff + j] (the epilogue of
                              * a Dense layer's product: the same bits as adding it after) */
    KExpr *biasoff;
} KGemm;

/* Blocking of the generated GEMM: panels of B are GEMM_KC x GEMM_NC, padded to a multiple of
 * 32 columns (the widest register tile).  The workspace holds one panel.  A B read in place
 * goes GEMM_KC_INPLACE rows at a time, a transposed A at most GEMM_KC_TA. */
enum { GEMM_KC = 1024, GEMM_NC = 2048, GEMM_MC = 128, GEMM_KC_INPLACE = 128, GEMM_KC_TA = 256 };
#define GEMM_WS_ELEMS ((int64_t)GEMM_KC * (GEMM_NC + 32))
enum { GEMM_DOT_KC = 512, GEMM_DOT_LANES = 16, GEMM_DOT_MAX_MN = 16384, GEMM_DOT_MIN_K = 4096 };
/* A row stride (elements of esize bytes) for a matrix of n columns that a GEMM reads in place
 * (KGemm.ldb): an odd number of whole cache lines, so successive rows fall in different cache
 * sets.  Rows a power of two apart share a few sets: 1024 f32 columns read in place run ~15 %
 * slower than 1040. */
int64_t gemm_padded_ld(int64_t n, int esize);
/* Elements of the packed panel of B a product of depth k and `cols` columns needs: at most
 * GEMM_KC x GEMM_NC, padded by a register tile. */
int64_t gemm_panel_elems(int64_t k, int64_t cols);

typedef struct KStmt KStmt;
typedef struct { KStmt **v; int n, cap; } KBlock;
struct KStmt {
    KStmtKind kind;
    int var;             /* FOR loop var; LET/SET var */
    int buf;             /* STORE */
    KExpr *lo, *hi;      /* FOR range [lo, hi) */
    KExpr *idx, *val;    /* STORE: buf[idx] = val; LET/SET: var = val; IF: val is the cond */
    KBlock body;         /* FOR, IF, REGION */
    bool vectorize;      /* FOR: ask the vectorizer to widen it even when that takes many run-time
                          * alias checks (its iterations touch disjoint elements) */
    KExpr *par_work;     /* FOR: non-NULL marks a parallel loop (iterations independent, at the
                          * top of a region, using only variables of its own body); the
                          * elements it processes, to decide whether threads pay off */
    KGemm *gemm;         /* GEMM */
    const char *name;    /* REGION */
};

typedef struct { int base; int64_t offset; KType t; const char *name; } KBuf;
typedef struct { const char *name; KType t; } KVar;

typedef struct {
    const char *name;
    KBuf *bufs; int nbufs, capbufs;
    int *buf_hash; int nhash;    /* (base, offset, type) -> index + 1 in bufs, 0 empty; nhash a power of 2 */
    KVar *vars; int nvars, capvars;
    KBlock body;
    int64_t work_bytes;  /* workspace this function needs */
} KFunc;

KType ktype_of(dlrt_dtype t);
bool kt_is_float(KType t);
KFunc *new_kfunc(const char *name);
int kbuf(KFunc *f, int base, int64_t offset, KType t, const char *name);
int kvar(KFunc *f, const char *name, KType t);
KExpr *kf(KType t, double v);
KExpr *ki(int64_t v);
KExpr *kvar_ref(KFunc *f, int var);
KExpr *ksym(int s);
KExpr *khp(int i);
KExpr *kload(KFunc *f, int buf, KExpr *idx);
KExpr *kbin(KOp op, KExpr *a, KExpr *b);     /* arithmetic, comparisons; folds int constants */
KExpr *kun(KOp op, KExpr *a);
KExpr *kselect(KExpr *c, KExpr *a, KExpr *b);
KExpr *kcast(KType t, KExpr *a);
KExpr *krand(KType t, KExpr *key, KExpr *counter);
KStmt *kfor(KBlock *b, int var, KExpr *lo, KExpr *hi);   /* appends; fill ->body */
void kstore(KBlock *b, int buf, KExpr *idx, KExpr *val);
void klet(KBlock *b, int var, KExpr *val);
void kset(KBlock *b, int var, KExpr *val);
KStmt *kif(KBlock *b, KExpr *cond);
void kgemm(KBlock *b, const KGemm *g);
KExpr *kgemm_ldb(const KGemm *g);   /* B's row stride: ldb, or dense (n, or k when tb) */
KStmt *kregion(KBlock *b, const char *name);   /* appends; fill ->body */

/* f32 exp, tanh and erf as both back ends write them out (emit_llvm.c expf_fn / tanhf_fn /
 * erff_fn, emit_c.c dlc_expf / dlc_tanhf / dlc_erff): Cephes' expf and tanhf, and an erf of our
 * own, in plain float arithmetic. */
#define VM_LOG2E 1.44269504088896341
#define VM_LN2_HI 0.693359375            /* ln 2 in two parts: r = x - n hi - n lo */
#define VM_LN2_LO (-2.12194440e-4)
#define VM_EXP_MAX 88.72283905206835     /* e^x is +inf above */
#define VM_EXP_MIN (-87.33654475)        /* ... and 0 below (no subnormals) */
#define VM_TANH_SMALL 0.625              /* tanh: the odd polynomial below, the exp form above */
#define VM_ERF_MID 2.5                   /* erf, 1 <= |x| < 4: log erfc(|x|) + x^2 as a polynomial in |x| - 2.5 */
extern const double vm_expf_poly[6], vm_tanhf_poly[5], vm_erff_small[7], vm_erff_large[9];
void print_kfunc(FILE *out, const KFunc *f);

/* When two regions are one function.  A region touches nothing but its buffers, so regions whose
 * statements agree up to which buffers they name compute the same function of those buffers
 * (the two layers of a Transformer, the forward parts of the train and grad functions).  A
 * region's memory is named by slots, one per distinct (home, offset) in order of first use:
 * buffers at one home and offset are one piece of memory whatever their type, and distinct ones
 * never overlap while the region runs (plan.c gives values live at once disjoint slices; a view
 * shares its source's).  `key` is the canonical text of the statements, with slots for buffers
 * and variables numbered in order of appearance: equal keys, interchangeable functions. */
typedef struct {
    int nslots;
    int *slot_of;        /* per buffer of the function: its slot, or -1 when the region leaves it */
    int *slot_buf;       /* per slot: its first buffer (whose home and offset it is) */
    char *key;
    uint64_t hash;       /* of key */
} RegionSig;
RegionSig region_sig(const KFunc *f, const KStmt *region);

/* ---- plan.c: one compiled function: DCE, schedule, memory plan --------------------------- */
typedef enum { FN_INFER, FN_EVAL, FN_TRAIN, FN_GRAD, FN_COUNT } FnKind;
extern const char *const fn_names[FN_COUNT];

typedef struct {
    FnKind kind;
    Vec sched;           /* Node*, live nodes in execution order (including effect roots) */
    int64_t work_bytes;
    int64_t gemm_ws_offset;   /* the GEMM panel workspace: [gemm_ws_offset, work_bytes) of W;
                                 below it the values (activations, temporaries) */
    int64_t unshared_bytes;   /* what the values would take without reusing dead slices */
} Plan;

Plan *plan_function(Graph *g, FnKind kind);
void print_plan(FILE *out, const Graph *g, const Plan *p);

/* ---- lower.c: graph -> kernel IR ---------------------------------------------------------- */
KFunc *lower_function(Graph *g, Plan *p, const char *name);

/* ---- emit_llvm.c: kernel IR -> LLVM IR -> JIT | object file ------------------------------ */
/* The uniform ABI of every generated function (see docs/abi.md). */
typedef void (*StepFn)(char *P, char *G, char *S, char *W, void *const *io, const int64_t *sym,
                       const double *hp, double *out);
typedef struct Jit Jit;
typedef struct { int opt_level; bool dump_llvm; FILE *dump_to; const char *prefix; } EmitOpts;
Jit *jit_compile(KFunc **fns, int nfns, const EmitOpts *o);
StepFn jit_lookup(Jit *j, const char *name);
void *jit_address(Jit *j, const char *name);   /* of any symbol, e.g. <prefix>_parallel_for */

struct Export;
typedef enum { OUT_OBJ, OUT_ASM, OUT_LLVM } ObjKind;
/* Write the model's functions, public wrappers, parameter table and embedded weights for
 * `triple`/`cpu` (NULL: the host) to `path`.  An unknown target is a user error. */
void emit_object(const struct Export *e, ObjKind kind, const char *path, const char *triple, const char *cpu, int opt_level);

/* ---- driver.c: the pipeline --------------------------------------------------------------- */
typedef struct {
    Model *m;
    Plan *plans[FN_COUNT];
    KFunc *kfuncs[FN_COUNT];
    Jit *jit;
    StepFn fns[FN_COUNT];
    const char *prefix;
    dlrt_model rt;       /* what the runtime needs to drive the functions */
} Compiled;

typedef struct {
    bool f64;
    int64_t max_batch;   /* 0: the (adjusted) train section's batch */
    int64_t max_len;     /* largest size of the other symbolic dims; 0: the text data's window;
                          * -1: each symbol's own bounds (the least an index needs, the most a
                          * PositionEmbedding has, else 4096): for tools that only read the io */
    int64_t vocab;       /* the name `vocab`; 0: the text data's vocabulary size */
    const char *dump;    /* ast|ir|grad|plan|kernels|llvm, or NULL */
    int opt_level;
    bool no_jit;         /* stop after lowering (check, build) */
    unsigned fns;        /* which functions to JIT-compile (bit FN_*); 0: all */
    const char *prefix;  /* names of generated functions: <prefix>_infer, ...; default the model's */
    void (*adjust_train)(TrainCfg *);   /* command-line overrides of the train section */
} CompileOpts;

Compiled *compile_model(const char *path, const CompileOpts *o);
/* Random inputs and targets for timing a compiled model (`dlc bench`, bench/bench_dlc.c). */
void **random_io(const dlrt_model *m, int64_t batch, uint64_t seed);
void free_io(const dlrt_model *m, void **io);

/* ---- export.c: the public face of a built model (header, wrappers' contract) ------------- */
typedef struct Export {
    const char *prefix;         /* C identifier prefix of every public name */
    const char *source;         /* the .dlm it came from */
    const Compiled *c;
    const char *weights;        /* an initialized parameter block to embed, or NULL */
} Export;

/* Slots the public wrappers take: forward takes the inputs (not the targets) and writes the
 * output; train_step takes the inputs and the targets. */
bool io_is_input(const dlrt_io *io);
const char *ctype_of(dlrt_dtype t);          /* "float", "double", "int32_t", "int64_t" */
char *upper(const char *s);
int64_t io_numel(const dlrt_io *io);         /* values per sample */
void print_header(FILE *out, const Export *e);

/* ---- emit_c.c: kernel IR -> C99 ------------------------------------------------------------ */
void emit_c(FILE *out, const Export *e, const char *header_name);

#endif
