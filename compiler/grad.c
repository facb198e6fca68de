/* grad.c — reverse-mode automatic differentiation as a graph -> graph pass.
 *
 * Walks the forward nodes from the loss backwards, asking each op's gradient rule (the `grad`
 * column of ops.h) for the adjoints of its inputs, and sums adjoints that meet.  The result is
 * more nodes in the same graph; each parameter's gradient ends up in Param.grad, in a node of
 * its own so the memory plan can place it in the gradient block. */
#include "dlc.h"

/* Broadcasting ops send each input the adjoint summed down to that input's shape. */
static Node *unbroadcast(Graph *g, Node *d, Node *x) { return new_sum_to(g, x->loc, d, x->shape); }

static void grad_add(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = unbroadcast(g, dy, n->in[0]);
    dx[1] = unbroadcast(g, dy, n->in[1]);
}

static void grad_sub(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = unbroadcast(g, dy, n->in[0]);
    dx[1] = unbroadcast(g, node1(g, OP_NEG, n->loc, dy), n->in[1]);
}

static void grad_mul(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = unbroadcast(g, node2(g, OP_MUL, n->loc, dy, n->in[1]), n->in[0]);
    dx[1] = unbroadcast(g, node2(g, OP_MUL, n->loc, dy, n->in[0]), n->in[1]);
}

/* y = a / b: da = dy / b, db = -dy * y / b */
static void grad_div(Graph *g, Node *n, Node *dy, Node **dx) {
    Node *da = node2(g, OP_DIV, n->loc, dy, n->in[1]);
    dx[0] = unbroadcast(g, da, n->in[0]);
    dx[1] = unbroadcast(g, node1(g, OP_NEG, n->loc, node2(g, OP_MUL, n->loc, da, n)), n->in[1]);
}

static void grad_neg(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node1(g, OP_NEG, n->loc, dy); }
static void grad_exp(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_MUL, n->loc, dy, n); }
static void grad_log(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_DIV, n->loc, dy, n->in[0]); }
/* from the output: y > 0 exactly when x > 0 (a NaN x gives y = 0), so the pre-activation need
 * not be kept for the backward pass and can be computed inside relu's loop (plan.c's fusion) */
static void grad_relu(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_RELU_GRAD, n->loc, dy, n); }
static void grad_sigmoid(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_SIGMOID_GRAD, n->loc, dy, n); }
static void grad_tanh(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_TANH_GRAD, n->loc, dy, n); }
static void grad_gelu(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_GELU_GRAD, n->loc, dy, n->in[0]); }

static void grad_leaky(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node2(g, OP_LEAKY_GRAD, n->loc, dy, n->in[0]);
    dx[0]->fattr[0] = n->fattr[0];
}

static void grad_reshape(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = new_reshape(g, n->loc, dy, n->in[0]->shape); }
static void grad_broadcast(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = new_sum_to(g, n->loc, dy, n->in[0]->shape); }
static void grad_sum_to(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = new_broadcast(g, n->loc, dy, n->in[0]->shape); }

/* The same attributes, another op, the shape of `like`. */
static Node *sibling(Graph *g, Node *n, Op op, int nin, Node **in, Node *like) {
    return new_node_attr(g, op, n->loc, nin, in, n->iattr, like->shape);
}

static void grad_pad2d(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = sibling(g, n, OP_CROP2D, 1, &dy, n->in[0]); }
static void grad_crop2d(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = sibling(g, n, OP_PAD2D, 1, &dy, n->in[0]);
    dx[0]->fattr[0] = 0;
}

static void grad_conv2d(Graph *g, Node *n, Node *dy, Node **dx) {
    Node *x = n->in[0], *w = n->in[1];
    dx[0] = sibling(g, n, OP_CONV2D_BWD_X, 2, (Node *[]){dy, w}, x);
    dx[1] = sibling(g, n, OP_CONV2D_BWD_W, 2, (Node *[]){dy, x}, w);
}

static void grad_im2col(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = sibling(g, n, OP_COL2IM, 1, &dy, n->in[0]); }

/* the window maxima's positions, found again from x (only training needs them) */
static void grad_maxpool2d(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = sibling(g, n, OP_MAXPOOL2D_BWD, 2, (Node *[]){dy, n->in[0]}, n->in[0]);
}
static void grad_avgpool2d(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = sibling(g, n, OP_AVGPOOL2D_BWD, 1, &dy, n->in[0]); }

/* the backward pass redraws the forward pass's mask from the same stream */
static void grad_dropout(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = sibling(g, n, OP_DROPOUT_BWD, 1, &dy, n);
    dx[0]->fattr[0] = n->fattr[0];
}

/* y = sqrt x: dx = dy / (2 y) */
static void grad_sqrt(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node2(g, OP_DIV, n->loc, dy, node2(g, OP_MUL, n->loc, n, new_const(g, n->loc, 2.0, n->dtype)));
}
static void grad_mean_to(Graph *g, Node *n, Node *dy, Node **dx) {
    Shape s = n->in[0]->shape;
    dx[0] = new_node_attr(g, OP_MEAN_TO_BWD, n->loc, 1, &dy, NULL, s);
}
/* gradients are taken in training functions, where train_eval is its first input */
static void grad_train_eval(Graph *g, Node *n, Node *dy, Node **dx) { (void)g; (void)n; dx[0] = dy; }

static void grad_permute(Graph *g, Node *n, Node *dy, Node **dx) {
    int64_t inv[8] = {0};
    for (int i = 0; i < n->shape.rank; i++) inv[n->iattr[i]] = i;
    dx[0] = new_node_attr(g, OP_PERMUTE, n->loc, 1, &dy, inv, n->in[0]->shape);
}

/* concat's inputs get their slices of dy back; slice and unslice are each other's adjoints */
static void grad_concat(Graph *g, Node *n, Node *dy, Node **dx) {
    int64_t axis = n->iattr[0], first = n->in[0]->shape.d[axis].c;
    dx[0] = new_node_attr(g, OP_SLICE, n->loc, 1, &dy, (int64_t[8]){axis, 0}, n->in[0]->shape);
    dx[1] = new_node_attr(g, OP_SLICE, n->loc, 1, &dy, (int64_t[8]){axis, first}, n->in[1]->shape);
}
static void grad_slice(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = sibling(g, n, OP_UNSLICE, 1, &dy, n->in[0]); }
static void grad_unslice(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = sibling(g, n, OP_SLICE, 1, &dy, n->in[0]); }

static void grad_transpose(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node1(g, OP_TRANSPOSE, n->loc, dy); }
static void grad_copy(Graph *g, Node *n, Node *dy, Node **dx) { (void)g; (void)n; dx[0] = dy; }

/* Y = op(A) op(B).  With the operands' [rows, last] matrix views:
 *   Y = A B      dA = dY B^T     dB = A^T dY
 *   Y = A B^T    dA = dY B       dB = dY^T A
 *   Y = A^T B    dA = B dY^T     dB = A dY
 *   Y = A^T B^T  dA = B^T dY^T   dB = dY^T A^T */
static void grad_matmul(Graph *g, Node *n, Node *dy, Node **dx) {
    Node *a = n->in[0], *b = n->in[1];
    int ta = (int)n->iattr[0], tb = (int)n->iattr[1], nb = (int)n->iattr[2];
    if (!ta && !tb) { dx[0] = new_bmm(g, n->loc, dy, b, 0, 1, nb); dx[1] = new_bmm(g, n->loc, a, dy, 1, 0, nb); }
    else if (!ta) { dx[0] = new_bmm(g, n->loc, dy, b, 0, 0, nb); dx[1] = new_bmm(g, n->loc, dy, a, 1, 0, nb); }
    else if (!tb) { dx[0] = new_bmm(g, n->loc, b, dy, 0, 1, nb); dx[1] = new_bmm(g, n->loc, a, dy, 0, 0, nb); }
    else { dx[0] = new_bmm(g, n->loc, b, dy, 1, 1, nb); dx[1] = new_bmm(g, n->loc, dy, a, 1, 1, nb); }
    /* the matrix view loses the leading dims of A; give them back */
    if (!shape_eq(&dx[0]->shape, &a->shape)) dx[0] = new_reshape(g, n->loc, dx[0], a->shape);
    if (!shape_eq(&dx[1]->shape, &b->shape)) dx[1] = new_reshape(g, n->loc, dx[1], b->shape);
}

static void grad_softmax(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_SOFTMAX_GRAD, n->loc, dy, n); }
/* y = softmax(a s) with masked weights 0: ds = a y (dy - sum(dy y)); masked entries get 0 */
static void grad_attn_softmax(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node2(g, OP_SOFTMAX_GRAD, n->loc, dy, n);
    if (n->fattr[0] != 1) dx[0] = node2(g, OP_MUL, n->loc, dx[0], new_const(g, n->loc, n->fattr[0], n->dtype));
}
static void grad_standardize(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node2(g, OP_STANDARDIZE_GRAD, n->loc, dy, n->in[0]);
    dx[0]->fattr[0] = n->fattr[0];
    dx[0]->iattr[0] = n->iattr[0];
}
static void grad_log_softmax(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_LOG_SOFTMAX_GRAD, n->loc, dy, n); }

static void grad_cross_entropy(Graph *g, Node *n, Node *dy, Node **dx) {
    Node *in[4] = {dy, n->in[0], n->in[1], n->nin == 3 ? n->in[2] : NULL};
    dx[0] = new_node(g, OP_CE_GRAD, n->loc, n->nin + 1, in);
    dx[0]->fattr[0] = n->fattr[0];
}

static void grad_nll(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node3(g, OP_NLL_GRAD, n->loc, dy, n->in[0], n->in[1]); }

static void grad_abs(Graph *g, Node *n, Node *dy, Node **dx) { dx[0] = node2(g, OP_MUL, n->loc, dy, node1(g, OP_SIGN, n->loc, n->in[0])); }
static void grad_zero(Graph *g, Node *n, Node *dy, Node **dx) { (void)g; (void)n; (void)dy; dx[0] = NULL; }
static void grad_clamp_min(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node2(g, OP_CLAMP_MIN_GRAD, n->loc, dy, n->in[0]);
    dx[0]->fattr[0] = n->fattr[0];
}

static void grad_mse(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = node3(g, OP_MSE_GRAD, n->loc, dy, n->in[0], n->in[1]);
    dx[1] = node1(g, OP_NEG, n->loc, dx[0]);
}

/* the table gets dy's rows back at the ids (the padding row excepted); ids have none */
static void grad_embed(Graph *g, Node *n, Node *dy, Node **dx) {
    dx[0] = new_node_attr(g, OP_EMBED_GRAD, n->loc, 2, (Node *[]){dy, n->in[1]}, n->iattr, n->in[0]->shape);
}

/* Back through time (RNN_BWD; see lower.c) gives the gate pre-activation gradients dg [T, N, GH]:
 * they are xg's gradient, and with the hidden side dgh (GRU's n part times r) give
 *   dw_hh = sum_t dgh_t^T h_prev(t)   (RNN_DWHH, plus the h0 term)     db_hh = sum dgh.
 * Initial states get theirs from a second pass that keeps them (mode 1): rarely needed, as
 * they are usually zeros or data. */
static void grad_rnn_seq(Graph *g, Node *n, Node *dy, Node **dx) {
    int cell = (int)n->iattr[RNN_CELL], k = 3;   /* in: xg, w_hh, w_hh^T (no gradient: w_hh's covers it), ... */
    bool rev = n->iattr[RNN_REVERSE];
    Node *w = n->in[1], *b = n->iattr[RNN_BIAS] ? n->in[k++] : NULL;
    int at_h0 = n->iattr[RNN_H0] ? k++ : -1, at_c0 = n->iattr[RNN_C0] ? k++ : -1;
    Dim T = n->shape.d[1], N = n->shape.d[2], H = n->shape.d[3], G = w->shape.d[0];
    Shape tnh = shape_of(3, (Dim[]){T, N, H});
    /* only h read downstream (the usual case): its [T, N, H] adjoint, not all the states' */
    if (dy->op == OP_UNSLICE && dy->iattr[0] == 0 && dy->iattr[1] == 0 && !dy->iattr[2] &&
        dim_eq(dy->in[0]->shape.d[0], dim_const(1)))
        dy = new_reshape(g, n->loc, dy->in[0], tnh);
    Node *in[MAX_IN] = {dy, n, w};
    int nin = 3;
    if (at_h0 >= 0) in[nin++] = n->in[at_h0];
    if (at_c0 >= 0) in[nin++] = n->in[at_c0];
    Node *dg = new_node_attr(g, OP_RNN_BWD, n->loc, nin, in, n->iattr, shape_of(3, (Dim[]){T, N, G}));
    dg->extra = dim_mul(N, dim_const(G.c + 3 * H.c));   /* scratch: step [N, GH], dh_rec [N, H], carry 2 x [N, H] */
    dg->iattr[RNN_MODE] = 0;
    dx[0] = dg;
    Node *dgh = cell == CELL_GRU ? new_node_attr(g, OP_RNN_HGRAD, n->loc, 2, (Node *[]){dg, n}, NULL, dg->shape) : dg;
    Node *dw = new_node_attr(g, OP_RNN_DWHH, n->loc, 2, (Node *[]){dgh, n}, n->iattr, w->shape);
    if (at_h0 >= 0) {   /* + dgh at the first step, transposed, times h0 */
        Node *d0 = new_node_attr(g, OP_SLICE, n->loc, 1, &dgh, (int64_t[8]){0, rev ? 1 : 0, rev}, shape_of(3, (Dim[]){dim_const(1), N, G}));
        d0 = new_reshape(g, n->loc, d0, shape_of(2, (Dim[]){N, G}));
        dw = node2(g, OP_ADD, n->loc, dw, new_matmul(g, n->loc, d0, n->in[at_h0], 1, 0));
    }
    dx[1] = dw;
    if (b) dx[3] = new_sum_to(g, n->loc, dgh, b->shape);
    if (at_h0 >= 0 || at_c0 >= 0) {
        int64_t S0 = cell == CELL_LSTM ? 2 : 1;
        Node *st = new_node_attr(g, OP_RNN_BWD, n->loc, nin, in, n->iattr, shape_of(3, (Dim[]){dim_const(S0), N, H}));
        st->extra = dg->extra;
        st->iattr[RNN_MODE] = 1;
        for (int s = 0; s < S0; s++) {
            int at = s ? at_c0 : at_h0;
            if (at < 0) continue;
            Node *one = new_node_attr(g, OP_SLICE, n->loc, 1, &st, (int64_t[8]){0, s, 0}, shape_of(3, (Dim[]){dim_const(1), N, H}));
            dx[at] = new_reshape(g, n->loc, one, n->in[at]->shape);
        }
    }
}

#define X(name, text, arity, flags, shape, grad, lower, scalar) grad,
static GradFn *const grad_rule[OP_COUNT] = {DLC_OPS(X)};
#undef X

void build_gradients(Graph *g) {
    int nfwd = g->nodes.n;
    bool *needs = xcalloc((size_t)nfwd, sizeof(bool));     /* depends on a parameter */
    for (int i = 0; i < nfwd; i++) {
        Node *n = g->nodes.v[i];
        needs[i] = n->op == OP_PARAM;
        for (int k = 0; k < n->nin; k++) needs[i] |= needs[n->in[k]->id];
    }
    Node **adj = xcalloc((size_t)nfwd, sizeof(Node *));
    adj[g->loss->id] = new_const(g, g->loss->loc, 1.0, g->loss->dtype);
    for (int i = g->loss->id; i >= 0; i--) {
        Node *n = g->nodes.v[i];
        if (!adj[i] || op_flags[n->op] & OPF_L) continue;
        if (!grad_rule[n->op]) ICE("op %s has no gradient rule", op_text[n->op]);
        Node *dx[MAX_IN] = {0};
        grad_rule[n->op](g, n, adj[i], dx);
        for (int k = 0; k < n->nin; k++) {
            Node *x = n->in[k];
            if (!dx[k] || !needs[x->id]) continue;
            adj[x->id] = adj[x->id] ? node2(g, OP_ADD, x->loc, adj[x->id], dx[k]) : dx[k];
        }
    }
    /* each parameter's gradient in a node of its own, homed in the gradient block */
    bool *taken = xcalloc((size_t)g->nodes.n + (size_t)g->nparams * 2 + 1, sizeof(bool));
    for (int i = 0; i < g->nparams; i++) {
        Param *p = g->params[i];
        if (!p->trainable) continue;
        Node *d = adj[p->node->id];
        if (!d) {       /* the loss does not depend on it */
            d = new_const(g, p->node->loc, 0.0, p->node->dtype);
            d->shape = p->node->shape;
        }
        if (taken[d->id] || op_flags[d->op] & (OPF_L | OPF_V) || (d->op == OP_CONST && d->shape.rank == 0))
            d = node1(g, OP_COPY, p->node->loc, d);
        taken[d->id] = true;
        p->grad = d;
    }
}
