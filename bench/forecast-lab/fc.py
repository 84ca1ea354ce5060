import math, numpy as np, sys
from load import *
AL=[0.05,0.1,0.2,0.3,0.5,0.7,1.0,1.5,2.0,3.0]
BE=[0.1,0.2,0.5,1,2,3,5,8]
def fit_family(u,y):
    # y = c + a*u, least squares; return c,a,sse
    n=len(u); su=u.sum(); sy=y.sum(); suu=(u*u).sum(); suy=(u*y).sum(); syy=(y*y).sum()
    d=n*suu-su*su
    if d<=1e-12*max(1,n*suu): return None
    a=(n*suy-su*sy)/d; c=(sy-a*su)/n
    sse=max(0.0, syy - c*sy - a*suy)
    return c,a,sse
def forecast(xs,ys,H,mode='ens'):
    x=np.array(xs,float); y=np.array(ys,float)
    k=len(x); start=k//2
    if k-start<4: start=max(0,k-4)
    xr=x[start:]; yr=y[start:]
    off = 1.0 - x[0] if x[0] < 1 else 0.0   # so that x+off >=1
    best=[]
    for fam in ('pow','exp'):
        bestf=None
        grid = AL if fam=='pow' else BE
        span = xr[-1]-xr[0] if xr[-1]>xr[0] else 1
        for g in grid:
            if fam=='pow': u=(xr+off)**(-g); uH=(H+off)**(-g)
            else: u=np.exp(-g*(xr-xr[0])/span); uH=math.exp(-g*(H-xr[0])/span)
            r=fit_family(u,yr)
            if r is None: continue
            c,a,sse=r
            if a<=0: continue
            if bestf is None or sse<bestf[2]: bestf=(c+a*uH,c,sse,g)
        if bestf: best.append(bestf)
    if not best: return None
    preds=[b[0] for b in best]
    sofar=np.nanmin(y)
    p=float(np.mean(preds)) if mode=='ens' else preds[0]
    p=min(p,sofar)
    n=len(yr); 
    sres=math.sqrt(min(b[2] for b in best)/max(1,n-2))
    spread=(max(preds)-min(preds))/2 if len(preds)>1 else 0
    return p,sofar,sres,spread, preds
def improving(ys):
    k=len(ys); i=int(np.nanargmin(ys))
    return i >= k - max(2, k//4)
res={}
for name,paths in sets().items():
    R=load(paths)
    for cut in (0.2,0.5):
        rows=[]
        for rid,(xs,ys,cfg) in R.items():
            pts=[(a,b) for a,b in zip(xs,ys) if b==b and abs(b)!=float('inf')]
            if len(pts)<10: continue
            X=[a for a,_ in pts]; Y=[b for _,b in pts]
            k=max(int(round(len(X)*cut)),5)
            if not improving(Y[:k]): continue
            H=X[-1]; truth=min(Y)
            f=forecast(X[:k],Y[:k],H)
            if f is None: continue
            p,sofar,sres,spread,preds=f
            scale=abs(truth) if truth!=0 else 1
            rows.append((abs(p-truth)/scale, abs(sofar-truth)/scale, abs(Y[k-1]-truth)/scale, p,truth,sres,spread,sofar, (H-X[k-1])/(X[k-1]-X[k//2]+1e-9)))
        res[(name,cut)]=rows
        a=np.array([r[:3] for r in rows])
        if len(a)==0: print(name,cut,'none'); continue
        print(f"{name:9s} cut {cut}: n={len(a):4d} fc med {np.median(a[:,0]):.4f} p90 {np.percentile(a[:,0],90):.4f} | best-so-far med {np.median(a[:,1]):.4f} p90 {np.percentile(a[:,1],90):.4f} | last med {np.median(a[:,2]):.4f}  ratio {np.median(a[:,0])/np.median(a[:,1]):.2f}")
import pickle; pickle.dump(res,open('/work/lab/res.pkl','wb'))
