/* A Bison parser, made by GNU Bison 3.8.2.  */

/* Bison implementation for Yacc-like parsers in C

   Copyright (C) 1984, 1989-1990, 2000-2015, 2018-2021 Free Software Foundation,
   Inc.

   This program is free software: you can redistribute it and/or modify
   it under the terms of the GNU General Public License as published by
   the Free Software Foundation, either version 3 of the License, or
   (at your option) any later version.

   This program is distributed in the hope that it will be useful,
   but WITHOUT ANY WARRANTY; without even the implied warranty of
   MERCHANTABILITY or FITNESS FOR A PARTICULAR PURPOSE.  See the
   GNU General Public License for more details.

   You should have received a copy of the GNU General Public License
   along with this program.  If not, see <https://www.gnu.org/licenses/>.  */

/* As a special exception, you may create a larger work that contains
   part or all of the Bison parser skeleton and distribute that work
   under terms of your choice, so long as that work isn't itself a
   parser generator using the skeleton or a modified version thereof
   as a parser skeleton.  Alternatively, if you modify or redistribute
   the parser skeleton itself, you may (at your option) remove this
   special exception, which will cause the skeleton and the resulting
   Bison output files to be licensed under the GNU General Public
   License without this special exception.

   This special exception was added by the Free Software Foundation in
   version 2.2 of Bison.  */

/* C LALR(1) parser skeleton written by Richard Stallman, by
   simplifying the original so-called "semantic" parser.  */

/* DO NOT RELY ON FEATURES THAT ARE NOT DOCUMENTED in the manual,
   especially those whose name start with YY_ or yy_.  They are
   private implementation details that can be changed or removed.  */

/* All symbols defined below should begin with yy or YY, to avoid
   infringing on user name space.  This should be done even for local
   variables, as they might otherwise be expanded by user macros.
   There are some unavoidable exceptions within include files to
   define necessary library symbols; they are noted "INFRINGES ON
   USER NAME SPACE" below.  */

/* Identify Bison output, and Bison version.  */
#define YYBISON 30802

/* Bison version string.  */
#define YYBISON_VERSION "3.8.2"

/* Skeleton name.  */
#define YYSKELETON_NAME "yacc.c"

/* Pure parsers.  */
#define YYPURE 0

/* Push parsers.  */
#define YYPUSH 0

/* Pull parsers.  */
#define YYPULL 1





# ifndef YY_CAST
#  ifdef __cplusplus
#   define YY_CAST(Type, Val) static_cast<Type> (Val)
#   define YY_REINTERPRET_CAST(Type, Val) reinterpret_cast<Type> (Val)
#  else
#   define YY_CAST(Type, Val) ((Type) (Val))
#   define YY_REINTERPRET_CAST(Type, Val) ((Type) (Val))
#  endif
# endif
# ifndef YY_NULLPTR
#  if defined __cplusplus
#   if 201103L <= __cplusplus
#    define YY_NULLPTR nullptr
#   else
#    define YY_NULLPTR 0
#   endif
#  else
#   define YY_NULLPTR ((void*)0)
#  endif
# endif

#include "parser.h"
/* Symbol kind.  */
enum yysymbol_kind_t
{
  YYSYMBOL_YYEMPTY = -2,
  YYSYMBOL_YYEOF = 0,                      /* "end of file"  */
  YYSYMBOL_YYerror = 1,                    /* error  */
  YYSYMBOL_YYUNDEF = 2,                    /* "invalid token"  */
  YYSYMBOL_IDENT = 3,                      /* "identifier"  */
  YYSYMBOL_STRING = 4,                     /* "string"  */
  YYSYMBOL_NUMBER = 5,                     /* "number"  */
  YYSYMBOL_DTYPE = 6,                      /* "type"  */
  YYSYMBOL_ARROW = 7,                      /* "'->'"  */
  YYSYMBOL_MODEL = 8,                      /* "'model'"  */
  YYSYMBOL_TRAIN = 9,                      /* "'train'"  */
  YYSYMBOL_INPUT = 10,                     /* "'input'"  */
  YYSYMBOL_TARGET = 11,                    /* "'target'"  */
  YYSYMBOL_CLASSES = 12,                   /* "'classes'"  */
  YYSYMBOL_METRIC = 13,                    /* "'metric'"  */
  YYSYMBOL_OUTPUT = 14,                    /* "'output'"  */
  YYSYMBOL_BLOCK = 15,                     /* "'block'"  */
  YYSYMBOL_FORWARD = 16,                   /* "'forward'"  */
  YYSYMBOL_RETURN = 17,                    /* "'return'"  */
  YYSYMBOL_REPEAT = 18,                    /* "'repeat'"  */
  YYSYMBOL_19_ = 19,                       /* '{'  */
  YYSYMBOL_20_ = 20,                       /* '}'  */
  YYSYMBOL_21_ = 21,                       /* '('  */
  YYSYMBOL_22_ = 22,                       /* ')'  */
  YYSYMBOL_23_ = 23,                       /* ':'  */
  YYSYMBOL_24_ = 24,                       /* '['  */
  YYSYMBOL_25_ = 25,                       /* ']'  */
  YYSYMBOL_26_ = 26,                       /* '='  */
  YYSYMBOL_27_ = 27,                       /* ','  */
  YYSYMBOL_28_ = 28,                       /* ';'  */
  YYSYMBOL_29_ = 29,                       /* '+'  */
  YYSYMBOL_30_ = 30,                       /* '-'  */
  YYSYMBOL_31_ = 31,                       /* '*'  */
  YYSYMBOL_32_ = 32,                       /* '/'  */
  YYSYMBOL_YYACCEPT = 33,                  /* $accept  */
  YYSYMBOL_file = 34,                      /* file  */
  YYSYMBOL_item = 35,                      /* item  */
  YYSYMBOL_mstmts = 36,                    /* mstmts  */
  YYSYMBOL_mstmt = 37,                     /* mstmt  */
  YYSYMBOL_assigns = 38,                   /* assigns  */
  YYSYMBOL_names_opt = 39,                 /* names_opt  */
  YYSYMBOL_names = 40,                     /* names  */
  YYSYMBOL_dims = 41,                      /* dims  */
  YYSYMBOL_dim = 42,                       /* dim  */
  YYSYMBOL_tstmts = 43,                    /* tstmts  */
  YYSYMBOL_tstmt = 44,                     /* tstmt  */
  YYSYMBOL_expr = 45,                      /* expr  */
  YYSYMBOL_sum = 46,                       /* sum  */
  YYSYMBOL_term = 47,                      /* term  */
  YYSYMBOL_unary = 48,                     /* unary  */
  YYSYMBOL_postfix = 49,                   /* postfix  */
  YYSYMBOL_primary = 50,                   /* primary  */
  YYSYMBOL_args_opt = 51,                  /* args_opt  */
  YYSYMBOL_args = 52,                      /* args  */
  YYSYMBOL_arg = 53                        /* arg  */
};
typedef enum yysymbol_kind_t yysymbol_kind_t;



/* Unqualified %code blocks.  */
#line 25 "grammar/parser.y"

#include <string.h>
#include "dlc.h"

int yylex(void);
void lexer_reset(const char *text);
static FileAst *result;
static const char *cur_file;

static Loc L(YYLTYPE l) {
    int len = l.first_line == l.last_line ? l.last_column - l.first_column : 1;
    return (Loc){cur_file, l.first_line, l.first_column, len > 0 ? len : 1};
}
/* A span from the start of `a` to the end of `b`, on one line. */
static Loc span(YYLTYPE a, YYLTYPE b) {
    Loc l = L(a);
    if (a.first_line == b.last_line && b.last_column > a.first_column)
        l.len = b.last_column - a.first_column;
    return l;
}
/* Expressions nest at most this deep, so later passes may recurse over them safely. */
#define MAX_DEPTH 1000
static Ast *deep(Ast *n) {
    int d = 0;
    if (n->lhs && n->lhs->depth > d) d = n->lhs->depth;
    if (n->rhs && n->rhs->depth > d) d = n->rhs->depth;
    for (int i = 0; i < n->nargs; i++)
        if (n->args[i].value->depth > d) d = n->args[i].value->depth;
    n->depth = d + 1;
    if (n->depth > MAX_DEPTH) error_at(n->loc, "expression nested too deeply (more than %d levels)", MAX_DEPTH);
    return n;
}
static Ast *bin(int op, Ast *a, Ast *b, Loc loc) {
    Ast *n = new_ast(A_BIN, loc);
    n->binop = op; n->lhs = a; n->rhs = b;
    return deep(n);
}
static Stmt *stmt(StmtKind k, Loc loc) {
    Stmt *s = xcalloc(1, sizeof *s);
    s->kind = k; s->loc = loc;
    return s;
}
/* input/target NAME: DTYPE[dims] */
static Stmt *io_stmt(StmtKind k, char *name, YYLTYPE name_loc, int dtype, Vec *dims, Loc type_loc) {
    Stmt *s = stmt(k, L(name_loc));
    s->name = name;
    s->name_loc = L(name_loc);
    s->type.dtype = dtype;
    s->type.loc = type_loc;
    s->type.rank = dims->n;
    s->type.dims = xcalloc((size_t)dims->n, sizeof(AstDim));
    for (int i = 0; i < dims->n; i++) s->type.dims[i] = *(AstDim *)dims->v[i];
    return s;
}
static Stmt *stmts_of(Vec *v, int *n) {
    *n = v ? v->n : 0;
    Stmt *s = xcalloc((size_t)*n + 1, sizeof(Stmt));
    for (int i = 0; i < *n; i++) s[i] = *(Stmt *)v->v[i];
    return s;
}
static Arg *args_of(Vec *v, int *n) {
    *n = v ? v->n : 0;
    Arg *a = xcalloc((size_t)*n + 1, sizeof(Arg));
    for (int i = 0; i < *n; i++) a[i] = *(Arg *)v->v[i];
    return a;
}
static Vec *push(Vec *v, void *x) {
    if (!v) v = xcalloc(1, sizeof *v);
    vec_push(v, x);
    return v;
}
/* a, b, c = expr: one statement binding every name (the value must have as many parts) */
static Stmt *multi_assign(Vec *names, char *last, YYLTYPE last_loc, Ast *e) {
    Arg *a = xcalloc(1, sizeof *a);
    a->name = last; a->name_loc = L(last_loc);
    names = push(names, a);
    Stmt *s = stmt(S_ASSIGN, ((Arg *)names->v[0])->name_loc);
    s->names = args_of(names, &s->nnames);
    s->name = s->names[0].name; s->name_loc = s->names[0].name_loc;
    s->expr = e;
    return s;
}
static void set_args(Ast *n, Vec *args) {
    n->nargs = args ? args->n : 0;
    n->args = xcalloc((size_t)n->nargs + 1, sizeof(Arg));
    for (int i = 0; i < n->nargs; i++) n->args[i] = *(Arg *)args->v[i];
}
static void yyerror(const char *s);

#line 247 "build2/parser.c"

#ifdef short
# undef short
#endif

/* On compilers that do not define __PTRDIFF_MAX__ etc., make sure
   <limits.h> and (if available) <stdint.h> are included
   so that the code can choose integer types of a good width.  */

#ifndef __PTRDIFF_MAX__
# include <limits.h> /* INFRINGES ON USER NAME SPACE */
# if defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stdint.h> /* INFRINGES ON USER NAME SPACE */
#  define YY_STDINT_H
# endif
#endif

/* Narrow types that promote to a signed type and that can represent a
   signed or unsigned integer of at least N bits.  In tables they can
   save space and decrease cache pressure.  Promoting to a signed type
   helps avoid bugs in integer arithmetic.  */

#ifdef __INT_LEAST8_MAX__
typedef __INT_LEAST8_TYPE__ yytype_int8;
#elif defined YY_STDINT_H
typedef int_least8_t yytype_int8;
#else
typedef signed char yytype_int8;
#endif

#ifdef __INT_LEAST16_MAX__
typedef __INT_LEAST16_TYPE__ yytype_int16;
#elif defined YY_STDINT_H
typedef int_least16_t yytype_int16;
#else
typedef short yytype_int16;
#endif

/* Work around bug in HP-UX 11.23, which defines these macros
   incorrectly for preprocessor constants.  This workaround can likely
   be removed in 2023, as HPE has promised support for HP-UX 11.23
   (aka HP-UX 11i v2) only through the end of 2022; see Table 2 of
   <https://h20195.www2.hpe.com/V2/getpdf.aspx/4AA4-7673ENW.pdf>.  */
#ifdef __hpux
# undef UINT_LEAST8_MAX
# undef UINT_LEAST16_MAX
# define UINT_LEAST8_MAX 255
# define UINT_LEAST16_MAX 65535
#endif

#if defined __UINT_LEAST8_MAX__ && __UINT_LEAST8_MAX__ <= __INT_MAX__
typedef __UINT_LEAST8_TYPE__ yytype_uint8;
#elif (!defined __UINT_LEAST8_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST8_MAX <= INT_MAX)
typedef uint_least8_t yytype_uint8;
#elif !defined __UINT_LEAST8_MAX__ && UCHAR_MAX <= INT_MAX
typedef unsigned char yytype_uint8;
#else
typedef short yytype_uint8;
#endif

#if defined __UINT_LEAST16_MAX__ && __UINT_LEAST16_MAX__ <= __INT_MAX__
typedef __UINT_LEAST16_TYPE__ yytype_uint16;
#elif (!defined __UINT_LEAST16_MAX__ && defined YY_STDINT_H \
       && UINT_LEAST16_MAX <= INT_MAX)
typedef uint_least16_t yytype_uint16;
#elif !defined __UINT_LEAST16_MAX__ && USHRT_MAX <= INT_MAX
typedef unsigned short yytype_uint16;
#else
typedef int yytype_uint16;
#endif

#ifndef YYPTRDIFF_T
# if defined __PTRDIFF_TYPE__ && defined __PTRDIFF_MAX__
#  define YYPTRDIFF_T __PTRDIFF_TYPE__
#  define YYPTRDIFF_MAXIMUM __PTRDIFF_MAX__
# elif defined PTRDIFF_MAX
#  ifndef ptrdiff_t
#   include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  endif
#  define YYPTRDIFF_T ptrdiff_t
#  define YYPTRDIFF_MAXIMUM PTRDIFF_MAX
# else
#  define YYPTRDIFF_T long
#  define YYPTRDIFF_MAXIMUM LONG_MAX
# endif
#endif

#ifndef YYSIZE_T
# ifdef __SIZE_TYPE__
#  define YYSIZE_T __SIZE_TYPE__
# elif defined size_t
#  define YYSIZE_T size_t
# elif defined __STDC_VERSION__ && 199901 <= __STDC_VERSION__
#  include <stddef.h> /* INFRINGES ON USER NAME SPACE */
#  define YYSIZE_T size_t
# else
#  define YYSIZE_T unsigned
# endif
#endif

#define YYSIZE_MAXIMUM                                  \
  YY_CAST (YYPTRDIFF_T,                                 \
           (YYPTRDIFF_MAXIMUM < YY_CAST (YYSIZE_T, -1)  \
            ? YYPTRDIFF_MAXIMUM                         \
            : YY_CAST (YYSIZE_T, -1)))

#define YYSIZEOF(X) YY_CAST (YYPTRDIFF_T, sizeof (X))


/* Stored state numbers (used for stacks). */
typedef yytype_uint8 yy_state_t;

/* State numbers in computations.  */
typedef int yy_state_fast_t;

#ifndef YY_
# if defined YYENABLE_NLS && YYENABLE_NLS
#  if ENABLE_NLS
#   include <libintl.h> /* INFRINGES ON USER NAME SPACE */
#   define YY_(Msgid) dgettext ("bison-runtime", Msgid)
#  endif
# endif
# ifndef YY_
#  define YY_(Msgid) Msgid
# endif
#endif


#ifndef YY_ATTRIBUTE_PURE
# if defined __GNUC__ && 2 < __GNUC__ + (96 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_PURE __attribute__ ((__pure__))
# else
#  define YY_ATTRIBUTE_PURE
# endif
#endif

#ifndef YY_ATTRIBUTE_UNUSED
# if defined __GNUC__ && 2 < __GNUC__ + (7 <= __GNUC_MINOR__)
#  define YY_ATTRIBUTE_UNUSED __attribute__ ((__unused__))
# else
#  define YY_ATTRIBUTE_UNUSED
# endif
#endif

/* Suppress unused-variable warnings by "using" E.  */
#if ! defined lint || defined __GNUC__
# define YY_USE(E) ((void) (E))
#else
# define YY_USE(E) /* empty */
#endif

/* Suppress an incorrect diagnostic about yylval being uninitialized.  */
#if defined __GNUC__ && ! defined __ICC && 406 <= __GNUC__ * 100 + __GNUC_MINOR__
# if __GNUC__ * 100 + __GNUC_MINOR__ < 407
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")
# else
#  define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN                           \
    _Pragma ("GCC diagnostic push")                                     \
    _Pragma ("GCC diagnostic ignored \"-Wuninitialized\"")              \
    _Pragma ("GCC diagnostic ignored \"-Wmaybe-uninitialized\"")
# endif
# define YY_IGNORE_MAYBE_UNINITIALIZED_END      \
    _Pragma ("GCC diagnostic pop")
#else
# define YY_INITIAL_VALUE(Value) Value
#endif
#ifndef YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
# define YY_IGNORE_MAYBE_UNINITIALIZED_END
#endif
#ifndef YY_INITIAL_VALUE
# define YY_INITIAL_VALUE(Value) /* Nothing. */
#endif

#if defined __cplusplus && defined __GNUC__ && ! defined __ICC && 6 <= __GNUC__
# define YY_IGNORE_USELESS_CAST_BEGIN                          \
    _Pragma ("GCC diagnostic push")                            \
    _Pragma ("GCC diagnostic ignored \"-Wuseless-cast\"")
# define YY_IGNORE_USELESS_CAST_END            \
    _Pragma ("GCC diagnostic pop")
#endif
#ifndef YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_BEGIN
# define YY_IGNORE_USELESS_CAST_END
#endif


#define YY_ASSERT(E) ((void) (0 && (E)))

#if 1

/* The parser invokes alloca or malloc; define the necessary symbols.  */

# ifdef YYSTACK_USE_ALLOCA
#  if YYSTACK_USE_ALLOCA
#   ifdef __GNUC__
#    define YYSTACK_ALLOC __builtin_alloca
#   elif defined __BUILTIN_VA_ARG_INCR
#    include <alloca.h> /* INFRINGES ON USER NAME SPACE */
#   elif defined _AIX
#    define YYSTACK_ALLOC __alloca
#   elif defined _MSC_VER
#    include <malloc.h> /* INFRINGES ON USER NAME SPACE */
#    define alloca _alloca
#   else
#    define YYSTACK_ALLOC alloca
#    if ! defined _ALLOCA_H && ! defined EXIT_SUCCESS
#     include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
      /* Use EXIT_SUCCESS as a witness for stdlib.h.  */
#     ifndef EXIT_SUCCESS
#      define EXIT_SUCCESS 0
#     endif
#    endif
#   endif
#  endif
# endif

# ifdef YYSTACK_ALLOC
   /* Pacify GCC's 'empty if-body' warning.  */
#  define YYSTACK_FREE(Ptr) do { /* empty */; } while (0)
#  ifndef YYSTACK_ALLOC_MAXIMUM
    /* The OS might guarantee only one guard page at the bottom of the stack,
       and a page size can be as small as 4096 bytes.  So we cannot safely
       invoke alloca (N) if N exceeds 4096.  Use a slightly smaller number
       to allow for a few compiler-allocated temporary stack slots.  */
#   define YYSTACK_ALLOC_MAXIMUM 4032 /* reasonable circa 2006 */
#  endif
# else
#  define YYSTACK_ALLOC YYMALLOC
#  define YYSTACK_FREE YYFREE
#  ifndef YYSTACK_ALLOC_MAXIMUM
#   define YYSTACK_ALLOC_MAXIMUM YYSIZE_MAXIMUM
#  endif
#  if (defined __cplusplus && ! defined EXIT_SUCCESS \
       && ! ((defined YYMALLOC || defined malloc) \
             && (defined YYFREE || defined free)))
#   include <stdlib.h> /* INFRINGES ON USER NAME SPACE */
#   ifndef EXIT_SUCCESS
#    define EXIT_SUCCESS 0
#   endif
#  endif
#  ifndef YYMALLOC
#   define YYMALLOC malloc
#   if ! defined malloc && ! defined EXIT_SUCCESS
void *malloc (YYSIZE_T); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
#  ifndef YYFREE
#   define YYFREE free
#   if ! defined free && ! defined EXIT_SUCCESS
void free (void *); /* INFRINGES ON USER NAME SPACE */
#   endif
#  endif
# endif
#endif /* 1 */

#if (! defined yyoverflow \
     && (! defined __cplusplus \
         || (defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL \
             && defined YYSTYPE_IS_TRIVIAL && YYSTYPE_IS_TRIVIAL)))

/* A type that is properly aligned for any stack member.  */
union yyalloc
{
  yy_state_t yyss_alloc;
  YYSTYPE yyvs_alloc;
  YYLTYPE yyls_alloc;
};

/* The size of the maximum gap between one aligned stack and the next.  */
# define YYSTACK_GAP_MAXIMUM (YYSIZEOF (union yyalloc) - 1)

/* The size of an array large to enough to hold all stacks, each with
   N elements.  */
# define YYSTACK_BYTES(N) \
     ((N) * (YYSIZEOF (yy_state_t) + YYSIZEOF (YYSTYPE) \
             + YYSIZEOF (YYLTYPE)) \
      + 2 * YYSTACK_GAP_MAXIMUM)

# define YYCOPY_NEEDED 1

/* Relocate STACK from its old location to the new one.  The
   local variables YYSIZE and YYSTACKSIZE give the old and new number of
   elements in the stack, and YYPTR gives the new location of the
   stack.  Advance YYPTR to a properly aligned location for the next
   stack.  */
# define YYSTACK_RELOCATE(Stack_alloc, Stack)                           \
    do                                                                  \
      {                                                                 \
        YYPTRDIFF_T yynewbytes;                                         \
        YYCOPY (&yyptr->Stack_alloc, Stack, yysize);                    \
        Stack = &yyptr->Stack_alloc;                                    \
        yynewbytes = yystacksize * YYSIZEOF (*Stack) + YYSTACK_GAP_MAXIMUM; \
        yyptr += yynewbytes / YYSIZEOF (*yyptr);                        \
      }                                                                 \
    while (0)

#endif

#if defined YYCOPY_NEEDED && YYCOPY_NEEDED
/* Copy COUNT objects from SRC to DST.  The source and destination do
   not overlap.  */
# ifndef YYCOPY
#  if defined __GNUC__ && 1 < __GNUC__
#   define YYCOPY(Dst, Src, Count) \
      __builtin_memcpy (Dst, Src, YY_CAST (YYSIZE_T, (Count)) * sizeof (*(Src)))
#  else
#   define YYCOPY(Dst, Src, Count)              \
      do                                        \
        {                                       \
          YYPTRDIFF_T yyi;                      \
          for (yyi = 0; yyi < (Count); yyi++)   \
            (Dst)[yyi] = (Src)[yyi];            \
        }                                       \
      while (0)
#  endif
# endif
#endif /* !YYCOPY_NEEDED */

/* YYFINAL -- State number of the termination state.  */
#define YYFINAL  2
/* YYLAST -- Last index in YYTABLE.  */
#define YYLAST   119

/* YYNTOKENS -- Number of terminals.  */
#define YYNTOKENS  33
/* YYNNTS -- Number of nonterminals.  */
#define YYNNTS  21
/* YYNRULES -- Number of rules.  */
#define YYNRULES  57
/* YYNSTATES -- Number of states.  */
#define YYNSTATES  129

/* YYMAXUTOK -- Last valid token kind.  */
#define YYMAXUTOK   273


/* YYTRANSLATE(TOKEN-NUM) -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex, with out-of-bounds checking.  */
#define YYTRANSLATE(YYX)                                \
  (0 <= (YYX) && (YYX) <= YYMAXUTOK                     \
   ? YY_CAST (yysymbol_kind_t, yytranslate[YYX])        \
   : YYSYMBOL_YYUNDEF)

/* YYTRANSLATE[TOKEN-NUM] -- Symbol number corresponding to TOKEN-NUM
   as returned by yylex.  */
static const yytype_int8 yytranslate[] =
{
       0,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
      21,    22,    31,    29,    27,    30,     2,    32,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,    23,    28,
       2,    26,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,    24,     2,    25,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,    19,     2,    20,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     2,     2,     2,     2,
       2,     2,     2,     2,     2,     2,     1,     2,     3,     4,
       5,     6,     7,     8,     9,    10,    11,    12,    13,    14,
      15,    16,    17,    18
};

#if YYDEBUG
/* YYRLINE[YYN] -- Source line where rule number YYN was defined.  */
static const yytype_int16 yyrline[] =
{
       0,   144,   144,   144,   147,   156,   174,   183,   183,   186,
     187,   188,   193,   197,   198,   199,   204,   208,   211,   212,
     216,   217,   220,   220,   222,   223,   226,   226,   229,   233,
     236,   236,   239,   240,   244,   245,   249,   250,   251,   255,
     256,   257,   261,   262,   266,   267,   276,   277,   278,   279,
     280,   281,   289,   289,   290,   290,   293,   294
};
#endif

/** Accessing symbol of state STATE.  */
#define YY_ACCESSING_SYMBOL(State) YY_CAST (yysymbol_kind_t, yystos[State])

#if 1
/* The user-facing name of the symbol whose (internal) number is
   YYSYMBOL.  No bounds checking.  */
static const char *yysymbol_name (yysymbol_kind_t yysymbol) YY_ATTRIBUTE_UNUSED;

static const char *
yysymbol_name (yysymbol_kind_t yysymbol)
{
  static const char *const yy_sname[] =
  {
  "end of file", "error", "invalid token", "identifier", "string",
  "number", "type", "'->'", "'model'", "'train'", "'input'", "'target'",
  "'classes'", "'metric'", "'output'", "'block'", "'forward'", "'return'",
  "'repeat'", "'{'", "'}'", "'('", "')'", "':'", "'['", "']'", "'='",
  "','", "';'", "'+'", "'-'", "'*'", "'/'", "$accept", "file", "item",
  "mstmts", "mstmt", "assigns", "names_opt", "names", "dims", "dim",
  "tstmts", "tstmt", "expr", "sum", "term", "unary", "postfix", "primary",
  "args_opt", "args", "arg", YY_NULLPTR
  };
  return yy_sname[yysymbol];
}
#endif

#define YYPACT_NINF (-22)

#define yypact_value_is_default(Yyn) \
  ((Yyn) == YYPACT_NINF)

#define YYTABLE_NINF (-1)

#define yytable_value_is_error(Yyn) \
  0

/* YYPACT[STATE-NUM] -- Index in YYTABLE of the portion describing
   STATE-NUM.  */
static const yytype_int8 yypact[] =
{
     -22,    57,   -22,     4,    -9,    17,   -22,    14,   -22,    30,
     -22,    12,     0,    36,    24,   -22,   -22,   -22,    -3,   -22,
     -22,    50,    24,     0,    24,    51,    31,    39,   -22,    48,
     -22,    45,    52,   -22,    49,    74,    75,    77,    78,   -22,
     -22,   -22,    55,   -22,    51,    24,    80,    46,    59,   -22,
      24,    24,    24,    24,    24,     0,    66,     0,    24,    63,
      65,    68,   -22,    64,    89,    51,    72,   -22,   -22,    31,
      39,    39,   -22,   -22,    73,   -22,   -22,    51,    88,    90,
       0,    94,    76,     0,   -22,     9,    81,    82,    79,   -22,
      24,    85,    83,    87,   -22,    71,     8,     8,   -22,    51,
     -22,    24,    78,    96,   -22,   -22,   -11,   -22,    -8,    51,
      91,    64,    84,   -22,     8,    92,    93,    24,   -22,    38,
     -22,    51,   -22,   -22,    35,    24,     2,    95,   -22
};

/* YYDEFACT[STATE-NUM] -- Default reduction number in state STATE-NUM.
   Performed when YYTABLE does not specify something else to do.  Zero
   means the default is an error.  */
static const yytype_int8 yydefact[] =
{
       2,     0,     1,     0,     0,     0,     3,     0,    30,     0,
       7,     0,    52,     0,     0,     6,    33,    31,    46,    48,
      47,     0,     0,    52,     0,    56,    34,    36,    39,    42,
      44,     0,    53,    54,    24,     0,     0,     0,     0,     4,
      17,     8,     0,    46,    32,     0,     0,     0,     0,    43,
       0,     0,     0,     0,     0,    52,     0,     0,     0,     0,
       0,     0,    24,    16,     0,    57,     0,    49,    50,    35,
      37,    38,    40,    41,     0,    18,    55,    13,     0,     0,
      52,     0,    25,    52,    45,     0,     0,     0,     0,    25,
       0,     0,    24,     0,    21,     0,     0,     0,    15,    14,
      51,     0,    22,     0,    29,    28,     0,    26,     0,    19,
       0,    23,    25,     9,     0,    10,     0,     0,    27,     0,
      18,    20,    12,    11,     0,     0,     0,     0,     5
};

/* YYPGOTO[NTERM-NUM].  */
static const yytype_int8 yypgoto[] =
{
     -22,   -22,   -22,   -22,   -22,   -20,   -22,   -12,    19,     3,
     -22,   -22,   -14,    69,    22,   -18,   -22,   -22,   -21,   -22,
      61
};

/* YYDEFGOTO[NTERM-NUM].  */
static const yytype_int8 yydefgoto[] =
{
       0,     1,     6,    13,    41,    85,   110,    95,   106,   107,
      11,    17,    25,    26,    27,    28,    29,    30,    31,    32,
      33
};

/* YYTABLE[YYPACT[STATE-NUM]] -- What to do in state STATE-NUM.  If
   positive, shift that token.  If negative, reduce the rule whose
   number is the opposite.  If YYTABLE_NINF, syntax error.  */
static const yytype_uint8 yytable[] =
{
      44,    42,    48,    18,    19,    20,    49,     7,    47,    50,
       8,   104,    92,   105,   113,    14,   114,   115,    21,   114,
       9,    22,   127,    45,    23,    93,    63,    43,    19,    20,
      24,    65,    15,    10,    74,    72,    73,    94,    92,    34,
      16,   122,    21,   123,    77,    22,    35,    36,    23,    37,
      38,    12,   125,    50,    24,    46,    39,     2,    50,    88,
      51,    52,    91,    94,    40,     3,     4,    56,    67,    55,
      53,    54,     5,    70,    71,    58,    99,    59,    60,    57,
      61,    62,    64,    66,    68,    75,    78,   109,    79,    80,
     111,    81,    82,    83,    86,    84,    87,    89,   103,   112,
     124,    98,    90,   121,   119,    96,    97,   100,   102,   101,
     117,   126,   120,   116,     0,   128,   108,   118,    76,    69
};

static const yytype_int8 yycheck[] =
{
      14,    13,    23,     3,     4,     5,    24,     3,    22,     7,
      19,     3,     3,     5,    25,     3,    27,    25,    18,    27,
       3,    21,    20,    26,    24,    16,    38,     3,     4,     5,
      30,    45,    20,    19,    55,    53,    54,    28,     3,     3,
      28,     3,    18,     5,    58,    21,    10,    11,    24,    13,
      14,    21,    17,     7,    30,     5,    20,     0,     7,    80,
      29,    30,    83,    28,    28,     8,     9,    22,    22,    21,
      31,    32,    15,    51,    52,    26,    90,     3,     3,    27,
       3,     3,    27,     3,    25,    19,    23,   101,    23,    21,
     102,    27,     3,    21,     6,    22,     6,     3,    27,     3,
     120,    22,    26,   117,    12,    24,    24,    22,    21,    26,
      26,   125,    19,    22,    -1,    20,    97,   114,    57,    50
};

/* YYSTOS[STATE-NUM] -- The symbol kind of the accessing symbol of
   state STATE-NUM.  */
static const yytype_int8 yystos[] =
{
       0,    34,     0,     8,     9,    15,    35,     3,    19,     3,
      19,    43,    21,    36,     3,    20,    28,    44,     3,     4,
       5,    18,    21,    24,    30,    45,    46,    47,    48,    49,
      50,    51,    52,    53,     3,    10,    11,    13,    14,    20,
      28,    37,    40,     3,    45,    26,     5,    45,    51,    48,
       7,    29,    30,    31,    32,    21,    22,    27,    26,     3,
       3,     3,     3,    40,    27,    45,     3,    22,    25,    46,
      47,    47,    48,    48,    51,    19,    53,    45,    23,    23,
      21,    27,     3,    21,    22,    38,     6,     6,    51,     3,
      26,    51,     3,    16,    28,    40,    24,    24,    22,    45,
      22,    26,    21,    27,     3,     5,    41,    42,    41,    45,
      39,    40,     3,    25,    27,    25,    22,    26,    42,    12,
      19,    45,     3,     5,    38,    17,    45,    20,    20
};

/* YYR1[RULE-NUM] -- Symbol kind of the left-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr1[] =
{
       0,    33,    34,    34,    35,    35,    35,    36,    36,    37,
      37,    37,    37,    37,    37,    37,    37,    37,    38,    38,
      38,    38,    39,    39,    40,    40,    41,    41,    42,    42,
      43,    43,    44,    44,    45,    45,    46,    46,    46,    47,
      47,    47,    48,    48,    49,    49,    50,    50,    50,    50,
      50,    50,    51,    51,    52,    52,    53,    53
};

/* YYR2[RULE-NUM] -- Number of symbols on the right-hand side of rule RULE-NUM.  */
static const yytype_int8 yyr2[] =
{
       0,     2,     0,     2,     5,    17,     4,     0,     2,     7,
       7,     9,     9,     3,     5,     5,     2,     1,     0,     4,
       6,     2,     0,     1,     1,     3,     1,     3,     1,     1,
       0,     2,     2,     1,     1,     3,     1,     3,     3,     1,
       3,     3,     1,     2,     1,     4,     1,     1,     1,     3,
       3,     6,     0,     1,     1,     3,     1,     3
};


enum { YYENOMEM = -2 };

#define yyerrok         (yyerrstatus = 0)
#define yyclearin       (yychar = YYEMPTY)

#define YYACCEPT        goto yyacceptlab
#define YYABORT         goto yyabortlab
#define YYERROR         goto yyerrorlab
#define YYNOMEM         goto yyexhaustedlab


#define YYRECOVERING()  (!!yyerrstatus)

#define YYBACKUP(Token, Value)                                    \
  do                                                              \
    if (yychar == YYEMPTY)                                        \
      {                                                           \
        yychar = (Token);                                         \
        yylval = (Value);                                         \
        YYPOPSTACK (yylen);                                       \
        yystate = *yyssp;                                         \
        goto yybackup;                                            \
      }                                                           \
    else                                                          \
      {                                                           \
        yyerror (YY_("syntax error: cannot back up")); \
        YYERROR;                                                  \
      }                                                           \
  while (0)

/* Backward compatibility with an undocumented macro.
   Use YYerror or YYUNDEF. */
#define YYERRCODE YYUNDEF

/* YYLLOC_DEFAULT -- Set CURRENT to span from RHS[1] to RHS[N].
   If N is 0, then set CURRENT to the empty location which ends
   the previous symbol: RHS[0] (always defined).  */

#ifndef YYLLOC_DEFAULT
# define YYLLOC_DEFAULT(Current, Rhs, N)                                \
    do                                                                  \
      if (N)                                                            \
        {                                                               \
          (Current).first_line   = YYRHSLOC (Rhs, 1).first_line;        \
          (Current).first_column = YYRHSLOC (Rhs, 1).first_column;      \
          (Current).last_line    = YYRHSLOC (Rhs, N).last_line;         \
          (Current).last_column  = YYRHSLOC (Rhs, N).last_column;       \
        }                                                               \
      else                                                              \
        {                                                               \
          (Current).first_line   = (Current).last_line   =              \
            YYRHSLOC (Rhs, 0).last_line;                                \
          (Current).first_column = (Current).last_column =              \
            YYRHSLOC (Rhs, 0).last_column;                              \
        }                                                               \
    while (0)
#endif

#define YYRHSLOC(Rhs, K) ((Rhs)[K])


/* Enable debugging if requested.  */
#if YYDEBUG

# ifndef YYFPRINTF
#  include <stdio.h> /* INFRINGES ON USER NAME SPACE */
#  define YYFPRINTF fprintf
# endif

# define YYDPRINTF(Args)                        \
do {                                            \
  if (yydebug)                                  \
    YYFPRINTF Args;                             \
} while (0)


/* YYLOCATION_PRINT -- Print the location on the stream.
   This macro was not mandated originally: define only if we know
   we won't break user code: when these are the locations we know.  */

# ifndef YYLOCATION_PRINT

#  if defined YY_LOCATION_PRINT

   /* Temporary convenience wrapper in case some people defined the
      undocumented and private YY_LOCATION_PRINT macros.  */
#   define YYLOCATION_PRINT(File, Loc)  YY_LOCATION_PRINT(File, *(Loc))

#  elif defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL

/* Print *YYLOCP on YYO.  Private, do not rely on its existence. */

YY_ATTRIBUTE_UNUSED
static int
yy_location_print_ (FILE *yyo, YYLTYPE const * const yylocp)
{
  int res = 0;
  int end_col = 0 != yylocp->last_column ? yylocp->last_column - 1 : 0;
  if (0 <= yylocp->first_line)
    {
      res += YYFPRINTF (yyo, "%d", yylocp->first_line);
      if (0 <= yylocp->first_column)
        res += YYFPRINTF (yyo, ".%d", yylocp->first_column);
    }
  if (0 <= yylocp->last_line)
    {
      if (yylocp->first_line < yylocp->last_line)
        {
          res += YYFPRINTF (yyo, "-%d", yylocp->last_line);
          if (0 <= end_col)
            res += YYFPRINTF (yyo, ".%d", end_col);
        }
      else if (0 <= end_col && yylocp->first_column < end_col)
        res += YYFPRINTF (yyo, "-%d", end_col);
    }
  return res;
}

#   define YYLOCATION_PRINT  yy_location_print_

    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT(File, Loc)  YYLOCATION_PRINT(File, &(Loc))

#  else

#   define YYLOCATION_PRINT(File, Loc) ((void) 0)
    /* Temporary convenience wrapper in case some people defined the
       undocumented and private YY_LOCATION_PRINT macros.  */
#   define YY_LOCATION_PRINT  YYLOCATION_PRINT

#  endif
# endif /* !defined YYLOCATION_PRINT */


# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)                    \
do {                                                                      \
  if (yydebug)                                                            \
    {                                                                     \
      YYFPRINTF (stderr, "%s ", Title);                                   \
      yy_symbol_print (stderr,                                            \
                  Kind, Value, Location); \
      YYFPRINTF (stderr, "\n");                                           \
    }                                                                     \
} while (0)


/*-----------------------------------.
| Print this symbol's value on YYO.  |
`-----------------------------------*/

static void
yy_symbol_value_print (FILE *yyo,
                       yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp)
{
  FILE *yyoutput = yyo;
  YY_USE (yyoutput);
  YY_USE (yylocationp);
  if (!yyvaluep)
    return;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/*---------------------------.
| Print this symbol on YYO.  |
`---------------------------*/

static void
yy_symbol_print (FILE *yyo,
                 yysymbol_kind_t yykind, YYSTYPE const * const yyvaluep, YYLTYPE const * const yylocationp)
{
  YYFPRINTF (yyo, "%s %s (",
             yykind < YYNTOKENS ? "token" : "nterm", yysymbol_name (yykind));

  YYLOCATION_PRINT (yyo, yylocationp);
  YYFPRINTF (yyo, ": ");
  yy_symbol_value_print (yyo, yykind, yyvaluep, yylocationp);
  YYFPRINTF (yyo, ")");
}

/*------------------------------------------------------------------.
| yy_stack_print -- Print the state stack from its BOTTOM up to its |
| TOP (included).                                                   |
`------------------------------------------------------------------*/

static void
yy_stack_print (yy_state_t *yybottom, yy_state_t *yytop)
{
  YYFPRINTF (stderr, "Stack now");
  for (; yybottom <= yytop; yybottom++)
    {
      int yybot = *yybottom;
      YYFPRINTF (stderr, " %d", yybot);
    }
  YYFPRINTF (stderr, "\n");
}

# define YY_STACK_PRINT(Bottom, Top)                            \
do {                                                            \
  if (yydebug)                                                  \
    yy_stack_print ((Bottom), (Top));                           \
} while (0)


/*------------------------------------------------.
| Report that the YYRULE is going to be reduced.  |
`------------------------------------------------*/

static void
yy_reduce_print (yy_state_t *yyssp, YYSTYPE *yyvsp, YYLTYPE *yylsp,
                 int yyrule)
{
  int yylno = yyrline[yyrule];
  int yynrhs = yyr2[yyrule];
  int yyi;
  YYFPRINTF (stderr, "Reducing stack by rule %d (line %d):\n",
             yyrule - 1, yylno);
  /* The symbols being reduced.  */
  for (yyi = 0; yyi < yynrhs; yyi++)
    {
      YYFPRINTF (stderr, "   $%d = ", yyi + 1);
      yy_symbol_print (stderr,
                       YY_ACCESSING_SYMBOL (+yyssp[yyi + 1 - yynrhs]),
                       &yyvsp[(yyi + 1) - (yynrhs)],
                       &(yylsp[(yyi + 1) - (yynrhs)]));
      YYFPRINTF (stderr, "\n");
    }
}

# define YY_REDUCE_PRINT(Rule)          \
do {                                    \
  if (yydebug)                          \
    yy_reduce_print (yyssp, yyvsp, yylsp, Rule); \
} while (0)

/* Nonzero means print parse trace.  It is left uninitialized so that
   multiple parsers can coexist.  */
int yydebug;
#else /* !YYDEBUG */
# define YYDPRINTF(Args) ((void) 0)
# define YY_SYMBOL_PRINT(Title, Kind, Value, Location)
# define YY_STACK_PRINT(Bottom, Top)
# define YY_REDUCE_PRINT(Rule)
#endif /* !YYDEBUG */


/* YYINITDEPTH -- initial size of the parser's stacks.  */
#ifndef YYINITDEPTH
# define YYINITDEPTH 200
#endif

/* YYMAXDEPTH -- maximum size the stacks can grow to (effective only
   if the built-in stack extension method is used).

   Do not make this value too large; the results are undefined if
   YYSTACK_ALLOC_MAXIMUM < YYSTACK_BYTES (YYMAXDEPTH)
   evaluated with infinite-precision integer arithmetic.  */

#ifndef YYMAXDEPTH
# define YYMAXDEPTH 10000
#endif


/* Context of a parse error.  */
typedef struct
{
  yy_state_t *yyssp;
  yysymbol_kind_t yytoken;
  YYLTYPE *yylloc;
} yypcontext_t;

/* Put in YYARG at most YYARGN of the expected tokens given the
   current YYCTX, and return the number of tokens stored in YYARG.  If
   YYARG is null, return the number of expected tokens (guaranteed to
   be less than YYNTOKENS).  Return YYENOMEM on memory exhaustion.
   Return 0 if there are more than YYARGN expected tokens, yet fill
   YYARG up to YYARGN. */
static int
yypcontext_expected_tokens (const yypcontext_t *yyctx,
                            yysymbol_kind_t yyarg[], int yyargn)
{
  /* Actual size of YYARG. */
  int yycount = 0;
  int yyn = yypact[+*yyctx->yyssp];
  if (!yypact_value_is_default (yyn))
    {
      /* Start YYX at -YYN if negative to avoid negative indexes in
         YYCHECK.  In other words, skip the first -YYN actions for
         this state because they are default actions.  */
      int yyxbegin = yyn < 0 ? -yyn : 0;
      /* Stay within bounds of both yycheck and yytname.  */
      int yychecklim = YYLAST - yyn + 1;
      int yyxend = yychecklim < YYNTOKENS ? yychecklim : YYNTOKENS;
      int yyx;
      for (yyx = yyxbegin; yyx < yyxend; ++yyx)
        if (yycheck[yyx + yyn] == yyx && yyx != YYSYMBOL_YYerror
            && !yytable_value_is_error (yytable[yyx + yyn]))
          {
            if (!yyarg)
              ++yycount;
            else if (yycount == yyargn)
              return 0;
            else
              yyarg[yycount++] = YY_CAST (yysymbol_kind_t, yyx);
          }
    }
  if (yyarg && yycount == 0 && 0 < yyargn)
    yyarg[0] = YYSYMBOL_YYEMPTY;
  return yycount;
}




/* The kind of the lookahead of this context.  */
static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static yysymbol_kind_t
yypcontext_token (const yypcontext_t *yyctx)
{
  return yyctx->yytoken;
}

/* The location of the lookahead of this context.  */
static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx) YY_ATTRIBUTE_UNUSED;

static YYLTYPE *
yypcontext_location (const yypcontext_t *yyctx)
{
  return yyctx->yylloc;
}

/* User defined function to report a syntax error.  */
static int
yyreport_syntax_error (const yypcontext_t *yyctx);

/*-----------------------------------------------.
| Release the memory associated to this symbol.  |
`-----------------------------------------------*/

static void
yydestruct (const char *yymsg,
            yysymbol_kind_t yykind, YYSTYPE *yyvaluep, YYLTYPE *yylocationp)
{
  YY_USE (yyvaluep);
  YY_USE (yylocationp);
  if (!yymsg)
    yymsg = "Deleting";
  YY_SYMBOL_PRINT (yymsg, yykind, yyvaluep, yylocationp);

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  YY_USE (yykind);
  YY_IGNORE_MAYBE_UNINITIALIZED_END
}


/* Lookahead token kind.  */
int yychar;

/* The semantic value of the lookahead symbol.  */
YYSTYPE yylval;
/* Location data for the lookahead symbol.  */
YYLTYPE yylloc
# if defined YYLTYPE_IS_TRIVIAL && YYLTYPE_IS_TRIVIAL
  = { 1, 1, 1, 1 }
# endif
;
/* Number of syntax errors so far.  */
int yynerrs;




/*----------.
| yyparse.  |
`----------*/

int
yyparse (void)
{
    yy_state_fast_t yystate = 0;
    /* Number of tokens to shift before error messages enabled.  */
    int yyerrstatus = 0;

    /* Refer to the stacks through separate pointers, to allow yyoverflow
       to reallocate them elsewhere.  */

    /* Their size.  */
    YYPTRDIFF_T yystacksize = YYINITDEPTH;

    /* The state stack: array, bottom, top.  */
    yy_state_t yyssa[YYINITDEPTH];
    yy_state_t *yyss = yyssa;
    yy_state_t *yyssp = yyss;

    /* The semantic value stack: array, bottom, top.  */
    YYSTYPE yyvsa[YYINITDEPTH];
    YYSTYPE *yyvs = yyvsa;
    YYSTYPE *yyvsp = yyvs;

    /* The location stack: array, bottom, top.  */
    YYLTYPE yylsa[YYINITDEPTH];
    YYLTYPE *yyls = yylsa;
    YYLTYPE *yylsp = yyls;

  int yyn;
  /* The return value of yyparse.  */
  int yyresult;
  /* Lookahead symbol kind.  */
  yysymbol_kind_t yytoken = YYSYMBOL_YYEMPTY;
  /* The variables used to return semantic value and location from the
     action routines.  */
  YYSTYPE yyval;
  YYLTYPE yyloc;

  /* The locations where the error started and ended.  */
  YYLTYPE yyerror_range[3];



#define YYPOPSTACK(N)   (yyvsp -= (N), yyssp -= (N), yylsp -= (N))

  /* The number of symbols on the RHS of the reduced rule.
     Keep to zero when no symbol should be popped.  */
  int yylen = 0;

  YYDPRINTF ((stderr, "Starting parse\n"));

  yychar = YYEMPTY; /* Cause a token to be read.  */

  yylsp[0] = yylloc;
  goto yysetstate;


/*------------------------------------------------------------.
| yynewstate -- push a new state, which is found in yystate.  |
`------------------------------------------------------------*/
yynewstate:
  /* In all cases, when you get here, the value and location stacks
     have just been pushed.  So pushing a state here evens the stacks.  */
  yyssp++;


/*--------------------------------------------------------------------.
| yysetstate -- set current state (the top of the stack) to yystate.  |
`--------------------------------------------------------------------*/
yysetstate:
  YYDPRINTF ((stderr, "Entering state %d\n", yystate));
  YY_ASSERT (0 <= yystate && yystate < YYNSTATES);
  YY_IGNORE_USELESS_CAST_BEGIN
  *yyssp = YY_CAST (yy_state_t, yystate);
  YY_IGNORE_USELESS_CAST_END
  YY_STACK_PRINT (yyss, yyssp);

  if (yyss + yystacksize - 1 <= yyssp)
#if !defined yyoverflow && !defined YYSTACK_RELOCATE
    YYNOMEM;
#else
    {
      /* Get the current used size of the three stacks, in elements.  */
      YYPTRDIFF_T yysize = yyssp - yyss + 1;

# if defined yyoverflow
      {
        /* Give user a chance to reallocate the stack.  Use copies of
           these so that the &'s don't force the real ones into
           memory.  */
        yy_state_t *yyss1 = yyss;
        YYSTYPE *yyvs1 = yyvs;
        YYLTYPE *yyls1 = yyls;

        /* Each stack pointer address is followed by the size of the
           data in use in that stack, in bytes.  This used to be a
           conditional around just the two extra args, but that might
           be undefined if yyoverflow is a macro.  */
        yyoverflow (YY_("memory exhausted"),
                    &yyss1, yysize * YYSIZEOF (*yyssp),
                    &yyvs1, yysize * YYSIZEOF (*yyvsp),
                    &yyls1, yysize * YYSIZEOF (*yylsp),
                    &yystacksize);
        yyss = yyss1;
        yyvs = yyvs1;
        yyls = yyls1;
      }
# else /* defined YYSTACK_RELOCATE */
      /* Extend the stack our own way.  */
      if (YYMAXDEPTH <= yystacksize)
        YYNOMEM;
      yystacksize *= 2;
      if (YYMAXDEPTH < yystacksize)
        yystacksize = YYMAXDEPTH;

      {
        yy_state_t *yyss1 = yyss;
        union yyalloc *yyptr =
          YY_CAST (union yyalloc *,
                   YYSTACK_ALLOC (YY_CAST (YYSIZE_T, YYSTACK_BYTES (yystacksize))));
        if (! yyptr)
          YYNOMEM;
        YYSTACK_RELOCATE (yyss_alloc, yyss);
        YYSTACK_RELOCATE (yyvs_alloc, yyvs);
        YYSTACK_RELOCATE (yyls_alloc, yyls);
#  undef YYSTACK_RELOCATE
        if (yyss1 != yyssa)
          YYSTACK_FREE (yyss1);
      }
# endif

      yyssp = yyss + yysize - 1;
      yyvsp = yyvs + yysize - 1;
      yylsp = yyls + yysize - 1;

      YY_IGNORE_USELESS_CAST_BEGIN
      YYDPRINTF ((stderr, "Stack size increased to %ld\n",
                  YY_CAST (long, yystacksize)));
      YY_IGNORE_USELESS_CAST_END

      if (yyss + yystacksize - 1 <= yyssp)
        YYABORT;
    }
#endif /* !defined yyoverflow && !defined YYSTACK_RELOCATE */


  if (yystate == YYFINAL)
    YYACCEPT;

  goto yybackup;


/*-----------.
| yybackup.  |
`-----------*/
yybackup:
  /* Do appropriate processing given the current state.  Read a
     lookahead token if we need one and don't already have one.  */

  /* First try to decide what to do without reference to lookahead token.  */
  yyn = yypact[yystate];
  if (yypact_value_is_default (yyn))
    goto yydefault;

  /* Not known => get a lookahead token if don't already have one.  */

  /* YYCHAR is either empty, or end-of-input, or a valid lookahead.  */
  if (yychar == YYEMPTY)
    {
      YYDPRINTF ((stderr, "Reading a token\n"));
      yychar = yylex ();
    }

  if (yychar <= YYEOF)
    {
      yychar = YYEOF;
      yytoken = YYSYMBOL_YYEOF;
      YYDPRINTF ((stderr, "Now at end of input.\n"));
    }
  else if (yychar == YYerror)
    {
      /* The scanner already issued an error message, process directly
         to error recovery.  But do not keep the error token as
         lookahead, it is too special and may lead us to an endless
         loop in error recovery. */
      yychar = YYUNDEF;
      yytoken = YYSYMBOL_YYerror;
      yyerror_range[1] = yylloc;
      goto yyerrlab1;
    }
  else
    {
      yytoken = YYTRANSLATE (yychar);
      YY_SYMBOL_PRINT ("Next token is", yytoken, &yylval, &yylloc);
    }

  /* If the proper action on seeing token YYTOKEN is to reduce or to
     detect an error, take that action.  */
  yyn += yytoken;
  if (yyn < 0 || YYLAST < yyn || yycheck[yyn] != yytoken)
    goto yydefault;
  yyn = yytable[yyn];
  if (yyn <= 0)
    {
      if (yytable_value_is_error (yyn))
        goto yyerrlab;
      yyn = -yyn;
      goto yyreduce;
    }

  /* Count tokens shifted since error; after three, turn off error
     status.  */
  if (yyerrstatus)
    yyerrstatus--;

  /* Shift the lookahead token.  */
  YY_SYMBOL_PRINT ("Shifting", yytoken, &yylval, &yylloc);
  yystate = yyn;
  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END
  *++yylsp = yylloc;

  /* Discard the shifted token.  */
  yychar = YYEMPTY;
  goto yynewstate;


/*-----------------------------------------------------------.
| yydefault -- do the default action for the current state.  |
`-----------------------------------------------------------*/
yydefault:
  yyn = yydefact[yystate];
  if (yyn == 0)
    goto yyerrlab;
  goto yyreduce;


/*-----------------------------.
| yyreduce -- do a reduction.  |
`-----------------------------*/
yyreduce:
  /* yyn is the number of a rule to reduce with.  */
  yylen = yyr2[yyn];

  /* If YYLEN is nonzero, implement the default value of the action:
     '$$ = $1'.

     Otherwise, the following line sets YYVAL to garbage.
     This behavior is undocumented and Bison
     users should not rely upon it.  Assigning to YYVAL
     unconditionally makes the parser a bit smaller, and it avoids a
     GCC warning that YYVAL may be used uninitialized.  */
  yyval = yyvsp[1-yylen];

  /* Default location. */
  YYLLOC_DEFAULT (yyloc, (yylsp - yylen), yylen);
  yyerror_range[1] = yyloc;
  YY_REDUCE_PRINT (yyn);
  switch (yyn)
    {
  case 4: /* item: "'model'" "identifier" '{' mstmts '}'  */
#line 147 "grammar/parser.y"
                                 {
        if (result->model) error_at(L((yylsp[-4])), "a file holds one model; '%s' is the second", (yyvsp[-3].str));
        ModelAst *m = xcalloc(1, sizeof *m);
        m->name = (yyvsp[-3].str); m->loc = L((yylsp[-3]));
        m->nstmts = (yyvsp[-1].vec) ? (yyvsp[-1].vec)->n : 0;
        m->stmts = xcalloc((size_t)m->nstmts + 1, sizeof(Stmt));
        for (int i = 0; i < m->nstmts; i++) m->stmts[i] = *(Stmt *)(yyvsp[-1].vec)->v[i];
        result->model = m;
      }
#line 1464 "build2/parser.c"
    break;

  case 5: /* item: "'block'" "identifier" '(' args_opt ')' '{' assigns "'forward'" '(' names_opt ')' '{' assigns "'return'" expr '}' '}'  */
#line 156 "grammar/parser.y"
                                                                                                         {
        BlockAst *b = xcalloc(1, sizeof *b);
        b->name = (yyvsp[-15].str); b->loc = L((yylsp[-15]));
        b->params = args_of((yyvsp[-13].vec), &b->nparams);
        for (int i = 0; i < b->nparams; i++) {   /* a parameter is NAME or NAME = default */
            Arg *a = &b->params[i];
            if (!a->name) {
                if (a->value->kind != A_NAME) error_at(a->value->loc, "a block parameter is a name, or name = default");
                a->name = a->value->name; a->name_loc = a->value->loc; a->value = NULL;
            }
        }
        b->decls = stmts_of((yyvsp[-10].vec), &b->ndecls);
        b->inputs = args_of((yyvsp[-7].vec), &b->ninputs);
        b->body = stmts_of((yyvsp[-4].vec), &b->nbody);
        b->ret = (yyvsp[-2].ast);
        result->blocks = xrealloc(result->blocks, sizeof(BlockAst *) * (size_t)(result->nblocks + 1));
        result->blocks[result->nblocks++] = b;
      }
#line 1487 "build2/parser.c"
    break;

  case 6: /* item: "'train'" '{' tstmts '}'  */
#line 174 "grammar/parser.y"
                           {
        if (result->has_train) error_at(L((yylsp[-3])), "a file holds one train section");
        result->has_train = true; result->train_loc = L((yylsp[-3]));
        result->ntrain = (yyvsp[-1].vec) ? (yyvsp[-1].vec)->n : 0;
        result->train = xcalloc((size_t)result->ntrain + 1, sizeof(Stmt));
        for (int i = 0; i < result->ntrain; i++) result->train[i] = *(Stmt *)(yyvsp[-1].vec)->v[i];
      }
#line 1499 "build2/parser.c"
    break;

  case 7: /* mstmts: %empty  */
#line 183 "grammar/parser.y"
               { (yyval.vec) = NULL; }
#line 1505 "build2/parser.c"
    break;

  case 8: /* mstmts: mstmts mstmt  */
#line 183 "grammar/parser.y"
                                             { (yyval.vec) = (yyvsp[0].stmt) ? push((yyvsp[-1].vec), (yyvsp[0].stmt)) : (yyvsp[-1].vec); }
#line 1511 "build2/parser.c"
    break;

  case 9: /* mstmt: "'input'" "identifier" ':' "type" '[' dims ']'  */
#line 186 "grammar/parser.y"
                                         { (yyval.stmt) = io_stmt(S_INPUT, (yyvsp[-5].str), (yylsp[-5]), (yyvsp[-3].dtype), (yyvsp[-1].vec), span((yylsp[-3]), (yylsp[0]))); }
#line 1517 "build2/parser.c"
    break;

  case 10: /* mstmt: "'target'" "identifier" ':' "type" '[' dims ']'  */
#line 187 "grammar/parser.y"
                                          { (yyval.stmt) = io_stmt(S_TARGET, (yyvsp[-5].str), (yylsp[-5]), (yyvsp[-3].dtype), (yyvsp[-1].vec), span((yylsp[-3]), (yylsp[0]))); }
#line 1523 "build2/parser.c"
    break;

  case 11: /* mstmt: "'target'" "identifier" ':' "type" '[' dims ']' "'classes'" "number"  */
#line 188 "grammar/parser.y"
                                                         {
        (yyval.stmt) = io_stmt(S_TARGET, (yyvsp[-7].str), (yylsp[-7]), (yyvsp[-5].dtype), (yyvsp[-3].vec), span((yylsp[-5]), (yylsp[-2])));
        if (!(yyvsp[0].num).is_int || (yyvsp[0].num).v < 2 || (yyvsp[0].num).v > 1e9) error_at(L((yylsp[0])), "classes must be an integer >= 2");
        (yyval.stmt)->classes = (int64_t)(yyvsp[0].num).v;
      }
#line 1533 "build2/parser.c"
    break;

  case 12: /* mstmt: "'target'" "identifier" ':' "type" '[' dims ']' "'classes'" "identifier"  */
#line 193 "grammar/parser.y"
                                                        {
        (yyval.stmt) = io_stmt(S_TARGET, (yyvsp[-7].str), (yylsp[-7]), (yyvsp[-5].dtype), (yyvsp[-3].vec), span((yylsp[-5]), (yylsp[-2])));
        (yyval.stmt)->classes_name = (yyvsp[0].str); (yyval.stmt)->classes_loc = L((yylsp[0]));
      }
#line 1542 "build2/parser.c"
    break;

  case 13: /* mstmt: "identifier" '=' expr  */
#line 197 "grammar/parser.y"
                     { (yyval.stmt) = stmt(S_ASSIGN, L((yylsp[-2]))); (yyval.stmt)->name = (yyvsp[-2].str); (yyval.stmt)->name_loc = L((yylsp[-2])); (yyval.stmt)->expr = (yyvsp[0].ast); }
#line 1548 "build2/parser.c"
    break;

  case 14: /* mstmt: names ',' "identifier" '=' expr  */
#line 198 "grammar/parser.y"
                               { (yyval.stmt) = multi_assign((yyvsp[-4].vec), (yyvsp[-2].str), (yylsp[-2]), (yyvsp[0].ast)); }
#line 1554 "build2/parser.c"
    break;

  case 15: /* mstmt: "'metric'" "identifier" '(' args_opt ')'  */
#line 199 "grammar/parser.y"
                                    {
        (yyval.stmt) = stmt(S_METRIC, L((yylsp[-3]))); (yyval.stmt)->name = (yyvsp[-3].str); (yyval.stmt)->name_loc = L((yylsp[-3]));
        Ast *callee = new_ast(A_NAME, L((yylsp[-3]))); callee->name = (yyvsp[-3].str);
        (yyval.stmt)->expr = new_ast(A_CALL, L((yylsp[-3]))); (yyval.stmt)->expr->lhs = callee; set_args((yyval.stmt)->expr, (yyvsp[-1].vec));
      }
#line 1564 "build2/parser.c"
    break;

  case 16: /* mstmt: "'output'" names  */
#line 204 "grammar/parser.y"
                   {
        (yyval.stmt) = stmt(S_OUTPUT, L((yylsp[0]))); (yyval.stmt)->names = args_of((yyvsp[0].vec), &(yyval.stmt)->nnames);
        (yyval.stmt)->name = (yyval.stmt)->names[0].name; (yyval.stmt)->name_loc = (yyval.stmt)->names[0].name_loc;
      }
#line 1573 "build2/parser.c"
    break;

  case 17: /* mstmt: ';'  */
#line 208 "grammar/parser.y"
          { (yyval.stmt) = NULL; }
#line 1579 "build2/parser.c"
    break;

  case 18: /* assigns: %empty  */
#line 211 "grammar/parser.y"
                { (yyval.vec) = NULL; }
#line 1585 "build2/parser.c"
    break;

  case 19: /* assigns: assigns "identifier" '=' expr  */
#line 212 "grammar/parser.y"
                             {
        Stmt *s = stmt(S_ASSIGN, L((yylsp[-2]))); s->name = (yyvsp[-2].str); s->name_loc = L((yylsp[-2])); s->expr = (yyvsp[0].ast);
        (yyval.vec) = push((yyvsp[-3].vec), s);
      }
#line 1594 "build2/parser.c"
    break;

  case 20: /* assigns: assigns names ',' "identifier" '=' expr  */
#line 216 "grammar/parser.y"
                                       { (yyval.vec) = push((yyvsp[-5].vec), multi_assign((yyvsp[-4].vec), (yyvsp[-2].str), (yylsp[-2]), (yyvsp[0].ast))); }
#line 1600 "build2/parser.c"
    break;

  case 21: /* assigns: assigns ';'  */
#line 217 "grammar/parser.y"
                  { (yyval.vec) = (yyvsp[-1].vec); }
#line 1606 "build2/parser.c"
    break;

  case 22: /* names_opt: %empty  */
#line 220 "grammar/parser.y"
                  { (yyval.vec) = NULL; }
#line 1612 "build2/parser.c"
    break;

  case 24: /* names: "identifier"  */
#line 222 "grammar/parser.y"
            { Arg *a = xcalloc(1, sizeof *a); a->name = (yyvsp[0].str); a->name_loc = L((yylsp[0])); (yyval.vec) = push(NULL, a); }
#line 1618 "build2/parser.c"
    break;

  case 25: /* names: names ',' "identifier"  */
#line 223 "grammar/parser.y"
                      { Arg *a = xcalloc(1, sizeof *a); a->name = (yyvsp[0].str); a->name_loc = L((yylsp[0])); (yyval.vec) = push((yyvsp[-2].vec), a); }
#line 1624 "build2/parser.c"
    break;

  case 26: /* dims: dim  */
#line 226 "grammar/parser.y"
          { (yyval.vec) = push(NULL, (yyvsp[0].dim)); }
#line 1630 "build2/parser.c"
    break;

  case 27: /* dims: dims ',' dim  */
#line 226 "grammar/parser.y"
                                                  { (yyval.vec) = push((yyvsp[-2].vec), (yyvsp[0].dim)); }
#line 1636 "build2/parser.c"
    break;

  case 28: /* dim: "number"  */
#line 229 "grammar/parser.y"
             {
        if (!(yyvsp[0].num).is_int || (yyvsp[0].num).v < 1 || (yyvsp[0].num).v > 1e12) error_at(L((yylsp[0])), "a dimension must be a positive integer");
        (yyval.dim) = xcalloc(1, sizeof *(yyval.dim)); (yyval.dim)->value = (int64_t)(yyvsp[0].num).v; (yyval.dim)->loc = L((yylsp[0]));
      }
#line 1645 "build2/parser.c"
    break;

  case 29: /* dim: "identifier"  */
#line 233 "grammar/parser.y"
            { (yyval.dim) = xcalloc(1, sizeof *(yyval.dim)); (yyval.dim)->is_sym = true; (yyval.dim)->sym = (yyvsp[0].str); (yyval.dim)->loc = L((yylsp[0])); }
#line 1651 "build2/parser.c"
    break;

  case 30: /* tstmts: %empty  */
#line 236 "grammar/parser.y"
               { (yyval.vec) = NULL; }
#line 1657 "build2/parser.c"
    break;

  case 31: /* tstmts: tstmts tstmt  */
#line 236 "grammar/parser.y"
                                             { (yyval.vec) = (yyvsp[0].stmt) ? push((yyvsp[-1].vec), (yyvsp[0].stmt)) : (yyvsp[-1].vec); }
#line 1663 "build2/parser.c"
    break;

  case 32: /* tstmt: "identifier" expr  */
#line 239 "grammar/parser.y"
                 { (yyval.stmt) = stmt(S_SETTING, L((yylsp[-1]))); (yyval.stmt)->name = (yyvsp[-1].str); (yyval.stmt)->name_loc = L((yylsp[-1])); (yyval.stmt)->expr = (yyvsp[0].ast); }
#line 1669 "build2/parser.c"
    break;

  case 33: /* tstmt: ';'  */
#line 240 "grammar/parser.y"
          { (yyval.stmt) = NULL; }
#line 1675 "build2/parser.c"
    break;

  case 35: /* expr: expr "'->'" sum  */
#line 245 "grammar/parser.y"
                     { (yyval.ast) = new_ast(A_PIPE, L((yylsp[-1]))); (yyval.ast)->lhs = (yyvsp[-2].ast); (yyval.ast)->rhs = (yyvsp[0].ast); deep((yyval.ast)); }
#line 1681 "build2/parser.c"
    break;

  case 37: /* sum: sum '+' term  */
#line 250 "grammar/parser.y"
                   { (yyval.ast) = bin('+', (yyvsp[-2].ast), (yyvsp[0].ast), L((yylsp[-1]))); }
#line 1687 "build2/parser.c"
    break;

  case 38: /* sum: sum '-' term  */
#line 251 "grammar/parser.y"
                   { (yyval.ast) = bin('-', (yyvsp[-2].ast), (yyvsp[0].ast), L((yylsp[-1]))); }
#line 1693 "build2/parser.c"
    break;

  case 40: /* term: term '*' unary  */
#line 256 "grammar/parser.y"
                     { (yyval.ast) = bin('*', (yyvsp[-2].ast), (yyvsp[0].ast), L((yylsp[-1]))); }
#line 1699 "build2/parser.c"
    break;

  case 41: /* term: term '/' unary  */
#line 257 "grammar/parser.y"
                     { (yyval.ast) = bin('/', (yyvsp[-2].ast), (yyvsp[0].ast), L((yylsp[-1]))); }
#line 1705 "build2/parser.c"
    break;

  case 43: /* unary: '-' unary  */
#line 262 "grammar/parser.y"
                { (yyval.ast) = new_ast(A_NEG, L((yylsp[-1]))); (yyval.ast)->lhs = (yyvsp[0].ast); deep((yyval.ast)); }
#line 1711 "build2/parser.c"
    break;

  case 45: /* postfix: postfix '(' args_opt ')'  */
#line 267 "grammar/parser.y"
                               {
        (yyval.ast) = new_ast(A_CALL, (yyvsp[-3].ast)->loc); (yyval.ast)->lhs = (yyvsp[-3].ast); set_args((yyval.ast), (yyvsp[-1].vec)); deep((yyval.ast));
        for (int i = 1; i < (yyval.ast)->nargs; i++)
            if (!(yyval.ast)->args[i].name && (yyval.ast)->args[i - 1].name)
                error_at((yyval.ast)->args[i].value->loc, "positional argument after a keyword argument");
      }
#line 1722 "build2/parser.c"
    break;

  case 46: /* primary: "identifier"  */
#line 276 "grammar/parser.y"
            { (yyval.ast) = new_ast(A_NAME, L((yylsp[0]))); (yyval.ast)->name = (yyvsp[0].str); }
#line 1728 "build2/parser.c"
    break;

  case 47: /* primary: "number"  */
#line 277 "grammar/parser.y"
             { (yyval.ast) = new_ast(A_NUM, L((yylsp[0]))); (yyval.ast)->num = (yyvsp[0].num).v; (yyval.ast)->is_int = (yyvsp[0].num).is_int; }
#line 1734 "build2/parser.c"
    break;

  case 48: /* primary: "string"  */
#line 278 "grammar/parser.y"
             { (yyval.ast) = new_ast(A_STR, L((yylsp[0]))); (yyval.ast)->str = (yyvsp[0].str); }
#line 1740 "build2/parser.c"
    break;

  case 49: /* primary: '(' expr ')'  */
#line 279 "grammar/parser.y"
                   { (yyval.ast) = (yyvsp[-1].ast); }
#line 1746 "build2/parser.c"
    break;

  case 50: /* primary: '[' args_opt ']'  */
#line 280 "grammar/parser.y"
                       { (yyval.ast) = new_ast(A_LIST, L((yylsp[-2]))); set_args((yyval.ast), (yyvsp[-1].vec)); deep((yyval.ast)); }
#line 1752 "build2/parser.c"
    break;

  case 51: /* primary: "'repeat'" "number" "identifier" '(' args_opt ')'  */
#line 281 "grammar/parser.y"
                                           {
        if (!(yyvsp[-4].num).is_int || (yyvsp[-4].num).v < 1 || (yyvsp[-4].num).v > 1000) error_at(L((yylsp[-4])), "repeat wants a count from 1 to 1000");
        Ast *callee = new_ast(A_NAME, L((yylsp[-3]))); callee->name = (yyvsp[-3].str);
        Ast *call = new_ast(A_CALL, L((yylsp[-3]))); call->lhs = callee; set_args(call, (yyvsp[-1].vec));
        (yyval.ast) = new_ast(A_REPEAT, L((yylsp[-5]))); (yyval.ast)->num = (yyvsp[-4].num).v; (yyval.ast)->lhs = call; deep((yyval.ast));
      }
#line 1763 "build2/parser.c"
    break;

  case 52: /* args_opt: %empty  */
#line 289 "grammar/parser.y"
                 { (yyval.vec) = NULL; }
#line 1769 "build2/parser.c"
    break;

  case 54: /* args: arg  */
#line 290 "grammar/parser.y"
          { (yyval.vec) = push(NULL, (yyvsp[0].arg)); }
#line 1775 "build2/parser.c"
    break;

  case 55: /* args: args ',' arg  */
#line 290 "grammar/parser.y"
                                                  { (yyval.vec) = push((yyvsp[-2].vec), (yyvsp[0].arg)); }
#line 1781 "build2/parser.c"
    break;

  case 56: /* arg: expr  */
#line 293 "grammar/parser.y"
           { (yyval.arg) = xcalloc(1, sizeof *(yyval.arg)); (yyval.arg)->value = (yyvsp[0].ast); }
#line 1787 "build2/parser.c"
    break;

  case 57: /* arg: "identifier" '=' expr  */
#line 294 "grammar/parser.y"
                     { (yyval.arg) = xcalloc(1, sizeof *(yyval.arg)); (yyval.arg)->name = (yyvsp[-2].str); (yyval.arg)->name_loc = L((yylsp[-2])); (yyval.arg)->value = (yyvsp[0].ast); }
#line 1793 "build2/parser.c"
    break;


#line 1797 "build2/parser.c"

      default: break;
    }
  /* User semantic actions sometimes alter yychar, and that requires
     that yytoken be updated with the new translation.  We take the
     approach of translating immediately before every use of yytoken.
     One alternative is translating here after every semantic action,
     but that translation would be missed if the semantic action invokes
     YYABORT, YYACCEPT, or YYERROR immediately after altering yychar or
     if it invokes YYBACKUP.  In the case of YYABORT or YYACCEPT, an
     incorrect destructor might then be invoked immediately.  In the
     case of YYERROR or YYBACKUP, subsequent parser actions might lead
     to an incorrect destructor call or verbose syntax error message
     before the lookahead is translated.  */
  YY_SYMBOL_PRINT ("-> $$ =", YY_CAST (yysymbol_kind_t, yyr1[yyn]), &yyval, &yyloc);

  YYPOPSTACK (yylen);
  yylen = 0;

  *++yyvsp = yyval;
  *++yylsp = yyloc;

  /* Now 'shift' the result of the reduction.  Determine what state
     that goes to, based on the state we popped back to and the rule
     number reduced by.  */
  {
    const int yylhs = yyr1[yyn] - YYNTOKENS;
    const int yyi = yypgoto[yylhs] + *yyssp;
    yystate = (0 <= yyi && yyi <= YYLAST && yycheck[yyi] == *yyssp
               ? yytable[yyi]
               : yydefgoto[yylhs]);
  }

  goto yynewstate;


/*--------------------------------------.
| yyerrlab -- here on detecting error.  |
`--------------------------------------*/
yyerrlab:
  /* Make sure we have latest lookahead translation.  See comments at
     user semantic actions for why this is necessary.  */
  yytoken = yychar == YYEMPTY ? YYSYMBOL_YYEMPTY : YYTRANSLATE (yychar);
  /* If not already recovering from an error, report this error.  */
  if (!yyerrstatus)
    {
      ++yynerrs;
      {
        yypcontext_t yyctx
          = {yyssp, yytoken, &yylloc};
        if (yyreport_syntax_error (&yyctx) == 2)
          YYNOMEM;
      }
    }

  yyerror_range[1] = yylloc;
  if (yyerrstatus == 3)
    {
      /* If just tried and failed to reuse lookahead token after an
         error, discard it.  */

      if (yychar <= YYEOF)
        {
          /* Return failure if at end of input.  */
          if (yychar == YYEOF)
            YYABORT;
        }
      else
        {
          yydestruct ("Error: discarding",
                      yytoken, &yylval, &yylloc);
          yychar = YYEMPTY;
        }
    }

  /* Else will try to reuse lookahead token after shifting the error
     token.  */
  goto yyerrlab1;


/*---------------------------------------------------.
| yyerrorlab -- error raised explicitly by YYERROR.  |
`---------------------------------------------------*/
yyerrorlab:
  /* Pacify compilers when the user code never invokes YYERROR and the
     label yyerrorlab therefore never appears in user code.  */
  if (0)
    YYERROR;
  ++yynerrs;

  /* Do not reclaim the symbols of the rule whose action triggered
     this YYERROR.  */
  YYPOPSTACK (yylen);
  yylen = 0;
  YY_STACK_PRINT (yyss, yyssp);
  yystate = *yyssp;
  goto yyerrlab1;


/*-------------------------------------------------------------.
| yyerrlab1 -- common code for both syntax error and YYERROR.  |
`-------------------------------------------------------------*/
yyerrlab1:
  yyerrstatus = 3;      /* Each real token shifted decrements this.  */

  /* Pop stack until we find a state that shifts the error token.  */
  for (;;)
    {
      yyn = yypact[yystate];
      if (!yypact_value_is_default (yyn))
        {
          yyn += YYSYMBOL_YYerror;
          if (0 <= yyn && yyn <= YYLAST && yycheck[yyn] == YYSYMBOL_YYerror)
            {
              yyn = yytable[yyn];
              if (0 < yyn)
                break;
            }
        }

      /* Pop the current state because it cannot handle the error token.  */
      if (yyssp == yyss)
        YYABORT;

      yyerror_range[1] = *yylsp;
      yydestruct ("Error: popping",
                  YY_ACCESSING_SYMBOL (yystate), yyvsp, yylsp);
      YYPOPSTACK (1);
      yystate = *yyssp;
      YY_STACK_PRINT (yyss, yyssp);
    }

  YY_IGNORE_MAYBE_UNINITIALIZED_BEGIN
  *++yyvsp = yylval;
  YY_IGNORE_MAYBE_UNINITIALIZED_END

  yyerror_range[2] = yylloc;
  ++yylsp;
  YYLLOC_DEFAULT (*yylsp, yyerror_range, 2);

  /* Shift the error token.  */
  YY_SYMBOL_PRINT ("Shifting", YY_ACCESSING_SYMBOL (yyn), yyvsp, yylsp);

  yystate = yyn;
  goto yynewstate;


/*-------------------------------------.
| yyacceptlab -- YYACCEPT comes here.  |
`-------------------------------------*/
yyacceptlab:
  yyresult = 0;
  goto yyreturnlab;


/*-----------------------------------.
| yyabortlab -- YYABORT comes here.  |
`-----------------------------------*/
yyabortlab:
  yyresult = 1;
  goto yyreturnlab;


/*-----------------------------------------------------------.
| yyexhaustedlab -- YYNOMEM (memory exhaustion) comes here.  |
`-----------------------------------------------------------*/
yyexhaustedlab:
  yyerror (YY_("memory exhausted"));
  yyresult = 2;
  goto yyreturnlab;


/*----------------------------------------------------------.
| yyreturnlab -- parsing is finished, clean up and return.  |
`----------------------------------------------------------*/
yyreturnlab:
  if (yychar != YYEMPTY)
    {
      /* Make sure we have latest lookahead translation.  See comments at
         user semantic actions for why this is necessary.  */
      yytoken = YYTRANSLATE (yychar);
      yydestruct ("Cleanup: discarding lookahead",
                  yytoken, &yylval, &yylloc);
    }
  /* Do not reclaim the symbols of the rule whose action triggered
     this YYABORT or YYACCEPT.  */
  YYPOPSTACK (yylen);
  YY_STACK_PRINT (yyss, yyssp);
  while (yyssp != yyss)
    {
      yydestruct ("Cleanup: popping",
                  YY_ACCESSING_SYMBOL (+*yyssp), yyvsp, yylsp);
      YYPOPSTACK (1);
    }
#ifndef yyoverflow
  if (yyss != yyssa)
    YYSTACK_FREE (yyss);
#endif

  return yyresult;
}

#line 297 "grammar/parser.y"


/* "unexpected X, expected A, B or C" at the unexpected token. */
static int yyreport_syntax_error(const yypcontext_t *ctx) {
    yysymbol_kind_t exp[6];
    int n = yypcontext_expected_tokens(ctx, exp, 6);
    yysymbol_kind_t got = yypcontext_token(ctx);
    char msg[512];
    int len = snprintf(msg, sizeof msg, "syntax error: unexpected %s",
                       got == YYSYMBOL_YYEOF ? "end of file" : yysymbol_name(got));
    if (n > 0) {   /* 0: more than six candidates, too many to list */
        len += snprintf(msg + len, sizeof msg - (size_t)len, ", expected ");
        for (int i = 0; i < n && len < (int)sizeof msg; i++)
            len += snprintf(msg + len, sizeof msg - (size_t)len, "%s%s",
                            i == 0 ? "" : i == n - 1 ? " or " : ", ", yysymbol_name(exp[i]));
    }
    error_at(L(*yypcontext_location(ctx)), "%s", msg);
    return 0;
}

static void yyerror(const char *s) {
    if (strcmp(s, "memory exhausted") == 0) error_at(L(yylloc), "expression nested too deeply");
    error_at(L(yylloc), "%s", s);
}

FileAst *parse_file(const char *path, const char *text) {
    cur_file = path;
    result = xcalloc(1, sizeof *result);
    lexer_reset(text);
    if (yyparse() != 0) fatal("%s: could not parse", path);
    if (!result->model) {
        Loc l = {path, 1, 1, 1};
        error_at(l, "no model in this file (expected 'model NAME { ... }')");
    }
    return result;
}
