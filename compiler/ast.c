/* ast.c — syntax tree constructors and the `--dump=ast` printer. */
#include "dlc.h"

Ast *new_ast(AstKind k, Loc loc) {
    Ast *n = xcalloc(1, sizeof *n);
    n->kind = k;
    n->loc = loc;
    return n;
}

const char *dtype_keyword(dlrt_dtype t) { return dlrt_dtype_name(t); }

static void dump_expr(FILE *out, const Ast *e) {
    switch (e->kind) {
    case A_NAME: fprintf(out, "%s", e->name); return;
    case A_NUM: fprintf(out, "%.17g", e->num); return;
    case A_STR: fprintf(out, "\"%s\"", e->str); return;
    case A_NEG: fprintf(out, "(neg "); dump_expr(out, e->lhs); fprintf(out, ")"); return;
    case A_REPEAT: fprintf(out, "(repeat %g ", e->num); dump_expr(out, e->lhs); fprintf(out, ")"); return;
    case A_BIN:
        fprintf(out, "(%c ", e->binop);
        dump_expr(out, e->lhs); fprintf(out, " "); dump_expr(out, e->rhs);
        fprintf(out, ")");
        return;
    case A_PIPE:
        fprintf(out, "(-> "); dump_expr(out, e->lhs); fprintf(out, " ");
        dump_expr(out, e->rhs); fprintf(out, ")");
        return;
    case A_RANGE:
        fprintf(out, "(range ");
        if (e->lhs) dump_expr(out, e->lhs); else fprintf(out, "_");
        fprintf(out, " ");
        if (e->rhs) dump_expr(out, e->rhs); else fprintf(out, "_");
        fprintf(out, ")");
        return;
    case A_CALL:
    case A_LIST:
    case A_INDEX:
        if (e->kind != A_LIST) { fprintf(out, e->kind == A_CALL ? "(call " : "(index "); dump_expr(out, e->lhs); }
        else fprintf(out, "(list");
        for (int i = 0; i < e->nargs; i++) {
            fprintf(out, " ");
            if (e->args[i].name) fprintf(out, "%s=", e->args[i].name);
            dump_expr(out, e->args[i].value);
        }
        fprintf(out, ")");
        return;
    }
}

static void dump_type(FILE *out, const AstType *t) {
    fprintf(out, "%s[", dtype_keyword(t->dtype));
    for (int i = 0; i < t->rank; i++) {
        if (i) fprintf(out, ", ");
        if (t->dims[i].is_sym) fprintf(out, "%s", t->dims[i].sym);
        else fprintf(out, "%lld", (long long)t->dims[i].value);
    }
    fprintf(out, "]");
}

static void dump_stmt(FILE *out, const Stmt *s) {
    fprintf(out, "  %d:%d ", s->loc.line, s->loc.col);
    switch (s->kind) {
    case S_INPUT: fprintf(out, "input %s: ", s->name); dump_type(out, &s->type); break;
    case S_TARGET:
        fprintf(out, "target %s: ", s->name); dump_type(out, &s->type);
        if (s->classes) fprintf(out, " classes %lld", (long long)s->classes);
        break;
    case S_ASSIGN: fprintf(out, "%s = ", s->name); dump_expr(out, s->expr); break;
    case S_METRIC: fprintf(out, "metric "); dump_expr(out, s->expr); break;
    case S_OUTPUT: fprintf(out, "output %s", s->name); break;
    case S_SETTING: fprintf(out, "%s ", s->name); dump_expr(out, s->expr); break;
    }
    fprintf(out, "\n");
}

static void dump_block(FILE *out, const BlockAst *b) {
    fprintf(out, "block %s(", b->name);
    for (int i = 0; i < b->nparams; i++) {
        fprintf(out, "%s%s", i ? ", " : "", b->params[i].name);
        if (b->params[i].value) { fprintf(out, " = "); dump_expr(out, b->params[i].value); }
    }
    fprintf(out, ")\n");
    for (int i = 0; i < b->ndecls; i++) dump_stmt(out, &b->decls[i]);
    fprintf(out, "  forward(");
    for (int i = 0; i < b->ninputs; i++) fprintf(out, "%s%s", i ? ", " : "", b->inputs[i].name);
    fprintf(out, ")\n");
    for (int i = 0; i < b->nbody; i++) dump_stmt(out, &b->body[i]);
    fprintf(out, "  return ");
    dump_expr(out, b->ret);
    fprintf(out, "\n");
}

void dump_ast(FILE *out, const FileAst *f) {
    for (int i = 0; i < f->nblocks; i++) dump_block(out, f->blocks[i]);
    fprintf(out, "model %s\n", f->model->name);
    for (int i = 0; i < f->model->nstmts; i++) dump_stmt(out, &f->model->stmts[i]);
    if (f->has_train) {
        fprintf(out, "train\n");
        for (int i = 0; i < f->ntrain; i++) dump_stmt(out, &f->train[i]);
    }
}
